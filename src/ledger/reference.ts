import { randomInt } from "node:crypto";

/**
 * A top-up reference: 14 digits, so every provider accepts it (RaksmeyPay wants a number of at
 * most 15 digits) and a customer can read it out. The date prefix keeps them roughly ordered.
 */
export function newReference(now: Date): string {
  const yymmdd = now.toISOString().slice(2, 10).replaceAll("-", "");
  return yymmdd + String(randomInt(0, 100_000_000)).padStart(8, "0");
}

export function looksLikeReference(text: string): boolean {
  return /^\d{14}$/.test(text);
}

/** The payment key of a paid order whose provider has not named the bank transaction (yet). */
export function orderPaymentKey(reference: string): string {
  return `order:${reference}`;
}
