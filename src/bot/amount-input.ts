import type { Config } from "../config/config.js";
import { parseAmount } from "../money/money.js";
import { money } from "./format.js";
import type { TranslationVars } from "./i18n.js";

export type AmountReading = { ok: true; minor: number } | { ok: false; key: string; vars: TranslationVars };

/** Reads a typed top-up amount; each kind of mistake gets its own message, naming the limit it broke. */
export function readAmount(text: string, topup: Config["topup"]): AmountReading {
  const { currency, minMinor, maxMinor } = topup;
  const parsed = parseAmount(text, currency);
  if (!parsed.ok) {
    switch (parsed.error) {
      case "empty":
      case "format":
        return { ok: false, key: "amount-error-format", vars: { example: money(minMinor, currency) } };
      case "negative":
        return { ok: false, key: "amount-error-negative", vars: {} };
      case "decimals":
        return { ok: false, key: "amount-error-decimals", vars: { currency } };
      case "too_large":
        return { ok: false, key: "amount-error-above-max", vars: { max: money(maxMinor, currency) } };
    }
  }
  if (parsed.minor < minMinor) return { ok: false, key: "amount-error-below-min", vars: { min: money(minMinor, currency) } };
  if (parsed.minor > maxMinor) return { ok: false, key: "amount-error-above-max", vars: { max: money(maxMinor, currency) } };
  return { ok: true, minor: parsed.minor };
}
