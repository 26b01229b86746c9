import { OutboundError, send, type OutboundPool, type OutboundRequest, type OutboundResponse } from "../http/outbound.js";
import { retryAfterMs } from "../http/retry-after.js";
import type { Logger } from "../logger.js";
import { minorDigits, minorFromDecimal, type Currency } from "../money/money.js";
import { PanelError } from "./panel-client.js";

/** How long to wait for a whole answer. Writes get longer: giving up early turns a slow credit into an unknown one. */
export interface PanelTimeouts {
  readMs: number;
  writeMs: number;
}

export const DEFAULT_TIMEOUTS: PanelTimeouts = { readMs: 10_000, writeMs: 20_000 };

/** One panel call, as error messages and logs name it. */
export interface PanelOp {
  /** The panel's own name for the call: "addPayment", "payments/add", "incrementUserBalance". */
  name: string;
  /** Writes change a balance, so an answer we cannot read may mean it was applied. */
  write: boolean;
  login?: string;
}

const RAW_LIMIT = 500;
const PANEL_MESSAGE_LIMIT = 200;

/**
 * Failure statuses that prove a request was not taken up: 408 (the server did not receive it whole), 429 (refused
 * before handling), and Cloudflare's answers when it never reached the panel (521 refused, 522 connect timeout,
 * 523 unreachable, 525 TLS handshake failed, 526 invalid certificate). Not 520 or 524: the panel may have acted.
 */
const NOT_TAKEN = new Set([408, 429, 521, 522, 523, 525, 526]);

const TRY_LATER = /too many|rate.?limit|try (again )?later|temporar|maintenance|overload/i;
const BAD_AUTH = /bad_auth|api.?key|unauthori[sz]ed|forbidden|authenticat|invalid.{0,10}token|token.{0,10}invalid/i;
const NO_USER = /bad_username|user.{0,20}(not (be )?found|does ?n[o']t exist|not exist)|no such user|unknown user|invalid user/i;

/** A rejection because the panel says the login does not exist; a lookup turns it into null. */
export class NoSuchPanelUser extends PanelError {
  constructor(message: string, opts: { panelMessage?: string; raw?: string }) {
    super("rejected", message, opts);
  }
}

/**
 * Sends panel requests and turns every failure into a PanelError of the right kind, with the panel's own
 * words kept and the API key scrubbed from everything that leaves this object.
 */
export class PanelTransport {
  private readonly secrets: string[];

  constructor(
    private readonly opts: { panel: string; apiKey: string; timeouts: PanelTimeouts; log?: Logger; pool?: OutboundPool },
  ) {
    const key = opts.apiKey;
    // The key can come back raw, URL-encoded or form-encoded (e.g. echoed in an error page).
    this.secrets = [...new Set([key, encodeURIComponent(key), new URLSearchParams({ k: key }).toString().slice(2)])]
      .filter((s) => s.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  /**
   * Returns 2xx and 4xx answers for the caller to read (a 4xx body may carry the panel's reason).
   * Throws for no connection, no answer, redirects, 408, 429 and 5xx.
   */
  async call(url: string, req: Omit<OutboundRequest, "timeoutMs">, op: PanelOp): Promise<OutboundResponse> {
    const started = Date.now();
    const timeoutMs = op.write ? this.opts.timeouts.writeMs : this.opts.timeouts.readMs;
    let res: OutboundResponse;
    try {
      res = await send(url, { ...req, timeoutMs, pool: this.opts.pool });
    } catch (err) {
      this.opts.log?.debug({ panel: this.opts.panel, op: op.name, ms: Date.now() - started, err: this.scrub(String(err)) }, "panel call failed");
      throw this.transportError(err, op);
    }
    this.opts.log?.debug({ panel: this.opts.panel, op: op.name, status: res.status, ms: Date.now() - started }, "panel call");
    const status = res.status;
    if (status >= 200 && status < 300) return res;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return res;
    if (status >= 300 && status < 400) {
      const location = String(res.headers.location ?? "");
      throw this.error("rejected", `panel answered ${op.name} with a redirect (HTTP ${status}) to ${location || "?"}: check PANEL_URL`, res.text);
    }
    const wait = { retryAfterMs: retryAfterMs(res.headers["retry-after"], Date.now()) };
    if (NOT_TAKEN.has(status)) {
      throw this.error("unavailable", `panel answered HTTP ${status} to ${op.name}${forLogin(op)}; not applied, safe to retry`, res.text, wait);
    }
    // Any other failure status may come after the panel applied a write: a proxy answers 502 or 520 when
    // the panel's answer went wrong, and a panel's own 500 can follow its commit.
    if (op.write) {
      throw this.error("unknown", `panel answered HTTP ${status} to ${op.name}${forLogin(op)}: it may have been applied`, res.text, wait);
    }
    throw this.error("unavailable", `panel answered HTTP ${status} to ${op.name}`, res.text, wait);
  }

  /** The panel said no in its own words: a bad key, a missing user, "try later", or anything else. */
  refusal(op: PanelOp, panelMessage: string, raw: string, status = 200): PanelError {
    const said = this.scrub(panelMessage).slice(0, PANEL_MESSAGE_LIMIT);
    const extra = { panelMessage: said };
    if (TRY_LATER.test(panelMessage)) {
      return this.error("unavailable", `panel asked to try ${op.name} later: ${said}`, raw, extra);
    }
    if (status === 401 || status === 403 || BAD_AUTH.test(panelMessage)) {
      return this.error("rejected", "panel rejected the API key (PANEL_API_KEY)", raw, extra);
    }
    if (op.login !== undefined && NO_USER.test(panelMessage)) {
      return new NoSuchPanelUser(this.scrub(`panel user not found: ${op.login}`), this.details(raw, extra));
    }
    return this.error("rejected", `panel refused ${op.name}${forLogin(op)}: ${said || `HTTP ${status}`}`, raw, extra);
  }

  /**
   * An answer in no shape we know. On a 4xx the panel said no; on a 2xx a write may have been applied,
   * while a read can simply be asked again.
   */
  unrecognised(op: PanelOp, res: OutboundResponse): PanelError {
    if (res.status === 401 || res.status === 403) return this.refusal(op, "", res.text, res.status);
    if (res.status >= 400) {
      const hint = res.status === 404 ? ": check that PANEL_URL is the panel's base address and PANEL_TYPE its API" : "";
      return this.error("rejected", `panel refused ${op.name}${forLogin(op)} with HTTP ${res.status} and an unrecognised answer${hint}`, res.text);
    }
    if (op.write) {
      return this.error("unknown", `panel answered ${op.name}${forLogin(op)} with something unrecognised: it may have been applied`, res.text);
    }
    return this.error("unavailable", `panel answered ${op.name} with something unrecognised`, res.text);
  }

  error(kind: PanelError["kind"], message: string, raw?: string, extra: { panelMessage?: string; cause?: unknown; retryAfterMs?: number } = {}): PanelError {
    return new PanelError(kind, this.scrub(message), this.details(raw, extra));
  }

  private details<T extends object>(raw: string | undefined, extra: T): T & { raw?: string } {
    return { ...extra, raw: raw === undefined ? undefined : this.scrub(raw).slice(0, RAW_LIMIT) };
  }

  private transportError(err: unknown, op: PanelOp): PanelError {
    const detail = err instanceof Error ? err.message : String(err);
    if (err instanceof OutboundError && err.phase === "not_sent") {
      return this.error("unavailable", `panel unreachable during ${op.name} (${detail}): nothing was sent`, undefined, { cause: err });
    }
    const consequence = op.write ? ": it may have been applied" : "";
    return this.error("unknown", `no answer from the panel to ${op.name}${forLogin(op)} (${detail})${consequence}`, undefined, { cause: err });
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("[REDACTED]");
    return out;
  }
}

function forLogin(op: PanelOp): string {
  return op.login === undefined ? "" : ` for ${op.login}`;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A balance as a panel reports it ("12.34", 12.34, "12.3456") in minor units, rounded down;
 * undefined when it is not a plain non-negative decimal. Balances are informative, never used for money moves.
 */
export function balanceToMinor(value: unknown, currency: Currency): number | undefined {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const digits = minorDigits(currency);
  const fraction = (match[2] ?? "").slice(0, digits);
  return minorFromDecimal(fraction ? `${match[1]}.${fraction}` : match[1]!, currency) ?? undefined;
}

/** Credits and debits must be whole, positive minor units; checked before anything is sent. */
export function assertAmount(transport: PanelTransport, amountMinor: number, op: PanelOp): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw transport.error("rejected", `${op.name}${forLogin(op)}: amount must be a positive whole number of minor units, got ${amountMinor}`);
  }
}

/** The panel's base address joined with a path of ours, whatever trailing slash PANEL_URL has. */
export function panelUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
