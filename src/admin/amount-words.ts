import { parseAmount, type Currency } from "../money/money.js";

/**
 * A word an admin meant as an amount: it starts with a digit (Khmer digits too), a sign, a currency symbol,
 * or a dot before a digit. "-5", "10,5", "12.345", "$10", "1e3", ".5" and "៛100" are; "customer" is not.
 */
export function isAmountLike(word: string): boolean {
  return /^(?:[0-9០-៩+\-−]|\p{Sc}|\.[0-9០-៩])/u.test(word);
}

export type AmountAndReason = { ok: true; amountMinor?: number; reason: string[] } | { ok: false; text: string };

/**
 * Reads `[amount] [reason…]`. The first word is the amount when it is a positive amount in `currency`; a word
 * that looks like an amount and is not one is refused (`ok: false`), never read as the start of the reason,
 * which would act on everything instead of the amount meant.
 */
export function readAmountAndReason(words: readonly string[], currency: Currency): AmountAndReason {
  const [first, ...rest] = words;
  if (first === undefined || !isAmountLike(first)) return { ok: true, reason: [...words] };
  const amount = readAmount(first, currency);
  return amount === undefined ? { ok: false, text: first } : { ok: true, amountMinor: amount, reason: rest };
}

/** A positive amount in `currency`, in minor units; undefined for anything else. */
export function readAmount(text: string, currency: Currency): number | undefined {
  const parsed = parseAmount(text, currency);
  return parsed.ok && parsed.minor > 0 ? parsed.minor : undefined;
}

/** How an amount is written, for the message that refuses one (the operator CLI's; the bot's is in locales/). */
export function amountFormat(currency: Currency): string {
  return currency === "USD" ? "USD amounts are digits with at most 2 decimals, e.g. 10 or 10.50" : "KHR amounts are whole riel in digits, e.g. 40000 or 40,000";
}
