import type { Config } from "../config/config.js";
import { toPanelAmount } from "../ledger/decide.js";

/**
 * The largest manual credit made without a second confirmation: TOPUP_MAX, in the panel's currency.
 * No customer can pay more in one top-up, so a larger credit by hand is most likely a typo (an extra zero).
 */
export function manualCreditLimit(config: Pick<Config, "topup" | "panel">): number {
  return toPanelAmount(config.topup.maxMinor, config.topup.currency, config.panel.currency, config.topup.khrPerUsd).amountMinor;
}
