import { KhqrError } from "./errors.js";
import type { KhqrCurrency } from "./types.js";

/** Tag-54 text as NBC's SDK prints it: USD 1000 -> "10", 1050 -> "10.50"; KHR 40000 -> "40000". */
export function khqrAmountString(amountMinor: number, currency: KhqrCurrency): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new KhqrError("INVALID_AMOUNT", `amount must be a non-negative integer in minor units, got ${amountMinor}`, "54");
  }
  if (currency === "KHR") return String(amountMinor);
  const cents = amountMinor % 100;
  const whole = (amountMinor - cents) / 100;
  return cents === 0 ? String(whole) : `${whole}.${String(cents).padStart(2, "0")}`;
}

const KHR_AMOUNT = /^\d+$/;
const USD_AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

/** Reads tag-54 text back into minor units; undefined when it is not a valid amount for the currency. */
export function parseAmountMinor(text: string, currency: KhqrCurrency): number | undefined {
  let minor: number;
  if (currency === "KHR") {
    if (!KHR_AMOUNT.test(text)) return undefined;
    minor = Number(text);
  } else {
    const match = USD_AMOUNT.exec(text);
    if (!match) return undefined;
    minor = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  }
  return Number.isSafeInteger(minor) ? minor : undefined;
}
