import { formatMoney, parseAmount, type Currency } from "./money.js";

/** From `fromMinor` (in the tiers' currency) on, a payment earns `basisPoints` / 100 percent extra. */
export interface BonusTier {
  fromMinor: number;
  /** Hundredths of a percent: 5% = 500, 2.5% = 250. */
  basisPoints: number;
}

/** Deposit bonus tiers in the top-up currency (TOPUP_BONUS); no tiers means no bonus. */
export interface BonusTiers {
  currency: Currency;
  /** Ascending by `fromMinor`. */
  tiers: readonly BonusTier[];
}

export const NO_BONUS: BonusTiers = { currency: "USD", tiers: [] };

/**
 * The bonus a payment of `amountMinor` earns, in minor units of the same currency, rounded down;
 * 0 when no tier applies or the payment is in another currency than the tiers.
 */
export function bonusFor(amountMinor: number, currency: Currency, bonus: BonusTiers): number {
  if (currency !== bonus.currency || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) return 0;
  const tier = bonus.tiers.findLast((t) => amountMinor >= t.fromMinor);
  if (!tier) return 0;
  // BigInt: amount × basis points can pass 2^53 for large riel amounts.
  return Number((BigInt(amountMinor) * BigInt(tier.basisPoints)) / 10_000n);
}

/** The tier's percentage as people write it: "5", "2.5". */
export function bonusPercent(tier: BonusTier): string {
  return String(tier.basisPoints / 100);
}

/**
 * Parses "50:5,100:10" (+5% from 50, +10% from 100, amounts in `currency`). Strict: every tier is
 * `<amount>:<percent>`, percent above 0 and at most 100 with up to two decimals, amounts strictly
 * ascending. Returns the problems instead of guessing.
 */
export function parseBonusTiers(text: string, currency: Currency): { ok: true; bonus: BonusTiers } | { ok: false; problem: string } {
  const tiers: BonusTier[] = [];
  const parts = text.split(",").map((p) => p.trim());
  for (const part of parts) {
    const match = /^([^:\s]+):(\d{1,3}(?:\.\d{1,2})?)%?$/.exec(part);
    if (!match) return { ok: false, problem: `"${part}" is not <amount>:<percent> (e.g. 50:5,100:10)` };
    const amount = parseAmount(match[1]!, currency);
    if (!amount.ok || amount.minor <= 0) return { ok: false, problem: `"${match[1]}" is not a positive ${currency} amount` };
    const [whole, fraction = ""] = match[2]!.split(".");
    const basisPoints = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
    if (basisPoints <= 0 || basisPoints > 10_000) return { ok: false, problem: `${match[2]}% must be above 0 and at most 100` };
    const previous = tiers.at(-1);
    if (previous && amount.minor <= previous.fromMinor) {
      return { ok: false, problem: `tiers must ascend: ${formatMoney(amount.minor, currency)} after ${formatMoney(previous.fromMinor, currency)}` };
    }
    tiers.push({ fromMinor: amount.minor, basisPoints });
  }
  return { ok: true, bonus: { currency, tiers } };
}
