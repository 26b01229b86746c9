import type { z } from "zod";
import type { ProviderName } from "../config/config.js";
import { OutboundError, send, type OutboundResponse } from "../http/outbound.js";
import { retryAfterMs } from "../http/retry-after.js";
import type { Logger } from "../logger.js";
import { ProviderError } from "./provider.js";

/** Whole-answer deadline of a provider call unless the adapter sets its own. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

/** An answer the provider gave: 2xx, 3xx or a 4xx other than 429, for the adapter to read. */
export type ProviderAnswer = OutboundResponse;

export interface ProviderRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

/** One provider call, as error messages and logs name it. */
export interface ProviderOp {
  /** The provider's own name for the call: "qr-api", "check_transaction_by_md5", "webpay.acquire.queryOrder". */
  name: string;
  /** Creates or changes something at the provider: a lost answer may mean it was done. */
  write?: boolean;
  /** The provider's own reading of a 5xx answer (its documented error codes); default: unavailable, "answered HTTP n". */
  serverError?: (answer: ProviderAnswer) => ProviderError;
}

export interface ProviderTransportOptions {
  provider: ProviderName;
  /** How messages name the provider: "RaksmeyPay", "KESS", "Bakong". */
  label: string;
  timeoutMs?: number;
  log?: Logger;
  /** Configured secrets to keep out of messages and logs; a bearer token a call sends counts too. */
  secrets?: readonly (string | undefined)[];
  now?: () => number;
}

const QUOTE_LIMIT = 500;
/** Shorter values are not scrubbed: they would cut ordinary words out of every message. */
const MIN_SECRET_LENGTH = 4;

/**
 * Every HTTP call to a payment provider: the deadline, and one reading of what went wrong. Nothing sent
 * (no connection) and no answer (it may have been acted on) are `unavailable`; 429 is `rate_limited` and
 * 5xx `unavailable`, both with Retry-After read one way; every other answer is returned. Messages and
 * the debug line logged per call never carry a configured secret or the call's bearer token.
 */
export class ProviderTransport {
  private readonly secrets: string[];
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ProviderTransportOptions) {
    this.secrets = secretForms(opts.secrets ?? []);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
  }

  async call(url: string, req: ProviderRequest, op: ProviderOp): Promise<ProviderAnswer> {
    const started = Date.now();
    const scrub = this.scrubberFor(req);
    let answer: ProviderAnswer;
    try {
      answer = await send(url, { ...req, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      this.opts.log?.debug({ api: this.opts.label, op: op.name, phase: err.phase, ms: Date.now() - started, msg: scrub(err.message) }, "provider call failed");
      throw this.transportError(err, op, scrub);
    }
    this.opts.log?.debug({ api: this.opts.label, op: op.name, status: answer.status, ms: Date.now() - started }, "provider call");
    if (answer.status === 429) throw rateLimited(this.opts.provider, this.opts.label, answer, this.now());
    if (answer.status >= 500) {
      if (op.serverError) throw this.scrubbed(op.serverError(answer), scrub);
      throw new ProviderError(this.opts.provider, "unavailable", scrub(`${this.opts.label} answered HTTP ${answer.status} to ${op.name}`), {
        code: answer.status,
        retryAfterMs: retryAfterMs(answer.headers["retry-after"], this.now()),
        cause: scrub(answer.text.slice(0, QUOTE_LIMIT)),
      });
    }
    return answer;
  }

  /** An error about an answer, with the provider's words quoted and every secret scrubbed. */
  error(kind: ProviderError["kind"], message: string, opts: ProviderError["opts"] = {}): ProviderError {
    return new ProviderError(this.opts.provider, kind, this.scrub(message), opts);
  }

  scrub(text: string): string {
    return scrubAll(text, this.secrets);
  }

  private scrubberFor(req: ProviderRequest): (text: string) => string {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers?.authorization ?? "")?.[1];
    if (bearer === undefined) return (text) => this.scrub(text);
    const all = [...new Set([...this.secrets, ...secretForms([bearer])])].sort((a, b) => b.length - a.length);
    return (text) => scrubAll(text, all);
  }

  private scrubbed(err: ProviderError, scrub: (text: string) => string): ProviderError {
    const message = scrub(err.message);
    return message === err.message ? err : new ProviderError(err.provider, err.kind, message, err.opts);
  }

  private transportError(err: OutboundError, op: ProviderOp, scrub: (text: string) => string): ProviderError {
    const label = this.opts.label;
    const message = err.phase === "not_sent"
      ? `${label} unreachable during ${op.name} (${err.message}): nothing was sent`
      : `no answer from ${label} to ${op.name} (${err.message})${op.write ? ": it may have been applied" : ""}`;
    return new ProviderError(this.opts.provider, "unavailable", scrub(message), { cause: err });
  }
}

/** A call that failed because the answer did not come in time (as opposed to no connection or a refusal). */
export function timedOut(err: ProviderError): boolean {
  return err.opts.cause instanceof OutboundError && /timed out/.test(err.opts.cause.message);
}

/** HTTP 429, with how long the provider asks us to wait. */
export function rateLimited(provider: ProviderName, label: string, answer: Pick<ProviderAnswer, "headers">, nowMs: number): ProviderError {
  return new ProviderError(provider, "rate_limited", `${label}: too many requests (HTTP 429)`, {
    code: 429,
    retryAfterMs: retryAfterMs(answer.headers["retry-after"], nowMs),
  });
}

export type JsonRead<T> =
  | { ok: true; value: T; json: unknown }
  /** `json` is undefined when the text is not JSON at all; `problem` says what does not fit. */
  | { ok: false; json: unknown; problem: string };

/** An answer's body as JSON of the documented shape, or what is wrong with it. */
export function readJson<S extends z.ZodType>(text: string, schema: S): JsonRead<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, json: undefined, problem: "not JSON" };
  }
  const checked = checkShape(json, schema);
  return checked.ok ? { ok: true, value: checked.value, json } : { ok: false, json, problem: checked.problem };
}

/** A value already parsed (a part of an answer) checked against its documented shape; `problem` names the fields. */
export function checkShape<S extends z.ZodType>(value: unknown, schema: S): { ok: true; value: z.output<S> } | { ok: false; problem: string } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") };
}

/** A secret as sent: raw, URL-encoded or form-encoded; longest first so that no form is half replaced. */
function secretForms(values: readonly (string | undefined)[]): string[] {
  const forms = values
    .filter((v): v is string => typeof v === "string" && v.length >= MIN_SECRET_LENGTH)
    .flatMap((v) => [v, encodeURIComponent(v), new URLSearchParams({ k: v }).toString().slice(2)]);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

function scrubAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("[REDACTED]");
  return out;
}
