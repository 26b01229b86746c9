import { minorDigits, type Currency } from "../money.js";

/**
 * The minor units of an amount that is not exact in its currency (`1.005` USD), rounded down so a
 * held payment never shows more than was paid; 0 when the value is no decimal number at all.
 * Only for payments that are held for an admin: credited amounts are always exact.
 */
export function heldAmountMinor(value: unknown, currency: Currency): number {
  const text = typeof value === "number" && Number.isFinite(value) && value >= 0 ? value.toFixed(6) : typeof value === "string" ? value.trim() : "";
  const match = /^(\d{1,13})(?:\.(\d+))?$/.exec(text);
  if (!match) return 0;
  const digits = minorDigits(currency);
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").slice(0, digits).padEnd(digits, "0") || "0");
}

/** How a provider's amount reads in a hold reason: `the amount 1.005`, `no amount`. */
export function saidAmount(value: unknown): string {
  return value === undefined || value === null ? "no amount" : `the amount ${JSON.stringify(value)}`;
}
