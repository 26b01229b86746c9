import type { KhqrCurrency } from "../khqr/index.js";

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** The amount as Cambodian payers read it: `1,234.50 USD`, `40,000 KHR`. */
export function formatCardAmount(amountMinor: number, currency: KhqrCurrency): { value: string; currency: string } {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`amount must be a non-negative integer in minor units, got ${amountMinor}`);
  }
  if (currency === "KHR") return { value: String(amountMinor).replace(GROUPS, ","), currency };
  const cents = String(amountMinor % 100).padStart(2, "0");
  const dollars = String(Math.floor(amountMinor / 100)).replace(GROUPS, ",");
  return { value: `${dollars}.${cents}`, currency };
}
