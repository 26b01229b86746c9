import type { WebhookRequest, WebhookResult } from "../provider.js";
import { constantTimeEqual } from "./constant-time.js";

/** Reading a webhook request: header lookup, content type, body, and the rejection answer. */

export type RejectStatus = Extract<WebhookResult, { kind: "rejected" }>["status"];

export function reject(status: RejectStatus, reason: string): WebhookResult {
  return { kind: "rejected", status, reason };
}

/** The first header whose name matches `name` (given in lower case) regardless of case. */
export function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** `application/json`, parameters such as `; charset=utf-8` allowed. */
export function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The body as strict UTF-8 JSON; undefined when it is not. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain decimal as a provider writes an amount: no sign, exponent or leading zeros, at most two places. */
const PLAIN_AMOUNT = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
/** JSON numbers above this print in exponent form or lose cents; no top-up comes near it. */
const LARGEST_NUMBER_AMOUNT = 1e13;

/**
 * The texts an amount field may have been hashed as. A string counts only as sent; a JSON number has
 * lost its text, so both canonical forms are candidates: two places ("12.50") and shortest ("12.5").
 * Undefined when the value is neither a plain decimal string nor a number with at most two places.
 */
export function amountTexts(value: unknown): string[] | undefined {
  if (typeof value === "string") return PLAIN_AMOUNT.test(value) ? [value] : undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > LARGEST_NUMBER_AMOUNT) return undefined;
  const twoPlaces = value.toFixed(2);
  if (Number(twoPlaces) !== value) return undefined;
  const shortest = String(value);
  return shortest === twoPlaces ? [twoPlaces] : [twoPlaces, shortest];
}

/** A digits-only field sent as a string or as a JSON safe integer, as its text when `accept` holds for it. */
export function digitsText(value: unknown, accept: (text: string) => boolean): string | undefined {
  const text = typeof value === "string" ? value : typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  return text !== undefined && /^\d+$/.test(text) && accept(text) ? text : undefined;
}

/** The first of `candidates` whose expected hash equals `given`; every candidate is compared, in constant time. */
export function firstMatching(candidates: readonly string[], given: string, expected: (candidate: string) => string): string | undefined {
  let found: string | undefined;
  for (const candidate of candidates) if (constantTimeEqual(given, expected(candidate)) && found === undefined) found = candidate;
  return found;
}

/** A notification's value as an admin note shows it: JSON, cut short (it comes from outside). */
export function shown(value: unknown): string {
  const text = value === undefined ? "missing" : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * The hold reason of a verified notification whose fields are not as documented: it is recorded and
 * held for an admin, never refused (a 4xx would lose a payment the provider does not send again).
 */
export function unexpectedFormat(sender: string, oddities: readonly string[]): string | undefined {
  return oddities.length > 0 ? `${sender} in an unexpected format: ${oddities.join("; ")}` : undefined;
}
