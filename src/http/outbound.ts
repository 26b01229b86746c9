import { Agent, errors, request, type Dispatcher } from "undici";

/** A set of keep-alive connections, at most `connections` per origin. */
export type OutboundPool = Dispatcher;

export function outboundPool(connections: number): OutboundPool {
  return new Agent({ keepAliveTimeout: 10_000, connections });
}

/** Keep-alive connections shared by every outbound client without a pool of its own. */
const agent = outboundPool(64);

export interface OutboundRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Whole-answer deadline; the connection itself must open within min(timeoutMs, 5 s). */
  timeoutMs?: number;
  /** Connections to use; default: the shared pool. */
  pool?: OutboundPool;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Where a request failed: `not_sent` means the other side cannot have acted on it (no connection);
 * `no_answer` means it was sent and no complete answer came back, so it may have been applied.
 */
export class OutboundError extends Error {
  constructor(
    readonly phase: "not_sent" | "no_answer",
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "OutboundError";
  }
}

const NOT_SENT_CODES = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT",
  // The server's certificate was refused during the TLS handshake, before any of the request was written.
  "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "CERT_REVOKED", "CERT_UNTRUSTED", "CERT_REJECTED", "CERT_SIGNATURE_FAILURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "INVALID_CA", "HOSTNAME_MISMATCH", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** One HTTP call with timeouts and no automatic retry (callers decide what is safe to repeat). */
export async function send(url: string, req: OutboundRequest): Promise<OutboundResponse> {
  const timeoutMs = req.timeoutMs ?? 15_000;
  try {
    const res = await request(url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: req.pool ?? agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs + 1_000),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } catch (err) {
    throw new OutboundError(isNotSent(err) ? "not_sent" : "no_answer", describe(err), err);
  }
}

function isNotSent(err: unknown): boolean {
  if (err instanceof errors.ConnectTimeoutError) return true;
  const code = errorCode(err);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** undici puts the socket's code on the error or, for TLS failures, on its cause. */
function errorCode(err: unknown): string | undefined {
  return (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
}

function describe(err: unknown): string {
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) return "timed out waiting for the answer";
  if (err instanceof errors.ConnectTimeoutError) return "timed out connecting";
  const code = errorCode(err);
  return code ? `network error ${code}` : err instanceof Error ? err.message : String(err);
}

export function formBody(fields: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
}
