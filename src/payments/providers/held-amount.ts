import { CURRENCIES, minorDigits, minorFromDecimal, type Currency } from "../../money/money.js";
import { amountTexts } from "./webhook-input.js";

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

/** What a verified notification's amount books, and in words why it is held when it is not exact. */
export interface BookedAmount {
  amountMinor: number;
  currency: Currency;
  odd?: string;
}

/**
 * The amount of a verified notification: its minor units when it is a plain decimal (`amountTexts`)
 * exact in `currency`; else what heldAmountMinor makes of it, with the reason to hold it. A currency
 * that is neither USD nor KHR (`currency` undefined) books 0 of `fallback`; the caller says why.
 */
export function bookAmount(value: unknown, currency: Currency | undefined, fallback: Currency): BookedAmount {
  if (currency === undefined) return { amountMinor: 0, currency: fallback };
  const plain = amountTexts(value)?.[0];
  const exact = plain === undefined ? null : minorFromDecimal(plain, currency);
  if (exact !== null) return { amountMinor: exact, currency };
  return { amountMinor: heldAmountMinor(value, currency), currency, odd: `${saidAmount(value)} is not a plain, exact ${currency} amount` };
}

/** A currency field read as USD or KHR, in any letter case; undefined for anything else. */
export function knownCurrency(value: unknown): Currency | undefined {
  const code = typeof value === "string" ? value.trim().toUpperCase() : "";
  return (CURRENCIES as readonly string[]).includes(code) ? (code as Currency) : undefined;
}
