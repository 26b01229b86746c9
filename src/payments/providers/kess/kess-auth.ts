import type { KessConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { ProviderError } from "../../provider.js";
import { ProviderTransport, readJson } from "../../provider-transport.js";
import { REFRESH_TOKEN_GRACE_MS, TOKEN_PATH, tokenAnswer, tokenError, type PasswordGrant, type RefreshGrant } from "./kess-api.js";

/** The OAuth access token every gateway call carries, shared by all callers of one adapter. */
export interface KessTokenCache {
  /** A token valid for a while yet: cached, refreshed shortly before expiry, or from a fresh login. */
  token(): Promise<string>;
  /** The gateway answered 401 with this token: forget it so the next token() logs in afresh. */
  invalidate(rejected: string): void;
}

interface Tokens {
  access: string;
  refresh?: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** Renew this long before expiry: a tenth of the lifetime, at most a minute. */
  marginMs: number;
}

/** How KESS is called, at the token endpoint and the gateway alike: its secrets are kept out of every message. */
export function kessTransport(config: KessConfig, opts: { log: Logger; now: () => number; timeoutMs?: number }): ProviderTransport {
  return new ProviderTransport({
    provider: "kess", label: "KESS", timeoutMs: opts.timeoutMs, log: opts.log, now: opts.now,
    secrets: [config.clientSecret, config.password, config.apiSecret],
  });
}

export function createKessTokenCache(opts: {
  config: KessConfig;
  log: Logger;
  now: () => number;
  /** Whole-answer deadline of a login; default the transport's. */
  timeoutMs?: number;
}): KessTokenCache {
  const { config, log, now } = opts;
  const transport = kessTransport(config, opts);
  let current: Tokens | undefined;
  // One renewal at a time: concurrent callers wait for the same login instead of each logging in.
  let inflight: Promise<Tokens> | undefined;

  async function grant(body: PasswordGrant | RefreshGrant): Promise<Tokens> {
    const startedAt = now();
    const res = await transport.call(`${config.baseUrl}${TOKEN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }, { name: body.grant_type === "password" ? "login" : "token refresh" });
    if (res.status < 200 || res.status >= 300) throw tokenError(res, body.grant_type);
    const parsed = readJson(res.text, tokenAnswer);
    if (!parsed.ok) {
      throw transport.error("invalid_response", `KESS: unexpected login answer: ${res.text.slice(0, 300).replace(/"(access|refresh)_token"\s*:\s*"[^"]*"/g, '"$1_token":"[REDACTED]"')}`);
    }
    const answer = parsed.value;
    const lifetimeMs = answer.expires_in * 1000;
    const accessExpiresAt = startedAt + lifetimeMs;
    log.debug({ grant: body.grant_type, expiresInSeconds: answer.expires_in }, "KESS access token obtained");
    return {
      access: answer.access_token,
      refresh: answer.refresh_token,
      accessExpiresAt,
      refreshExpiresAt: accessExpiresAt + REFRESH_TOKEN_GRACE_MS,
      marginMs: Math.min(60_000, lifetimeMs / 10),
    };
  }

  const login = () =>
    grant({ grant_type: "password", client_id: config.clientId, client_secret: config.clientSecret, username: config.username, password: config.password });

  async function renew(previous: Tokens | undefined): Promise<Tokens> {
    if (previous?.refresh && now() < previous.refreshExpiresAt - previous.marginMs) {
      try {
        return await grant({ grant_type: "refresh_token", client_id: config.clientId, client_secret: config.clientSecret, refresh_token: previous.refresh });
      } catch (err) {
        if (!(err instanceof ProviderError) || err.kind !== "rejected") throw err;
        log.info({ err: err.message }, "KESS refresh token refused; logging in again");
      }
    }
    return login();
  }

  return {
    async token() {
      const t = current;
      if (t && now() < t.accessExpiresAt - t.marginMs) return t.access;
      inflight ??= renew(t)
        .then((fresh) => {
          current = fresh;
          return fresh;
        })
        .finally(() => {
          inflight = undefined;
        });
      return (await inflight).access;
    },
    invalidate(rejected) {
      if (current?.access === rejected) current = undefined;
    },
  };
}
