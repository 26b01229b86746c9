import type { TopUp } from "../generated/sqlite/client.js";
import { bonusFor, type BonusTiers } from "../money/bonus.js";
import type { Currency } from "../money/money.js";
import { money } from "./format.js";
import type { Translate } from "./i18n.js";

/** The card caption's line about the deposit bonus this top-up earns (TOPUP_BONUS); undefined when none. */
export function bonusLine(topUp: Pick<TopUp, "amountMinor" | "currency">, t: Translate, tiers: BonusTiers): string | undefined {
  const bonus = bonusFor(topUp.amountMinor, topUp.currency as Currency, tiers);
  return bonus > 0 ? t("card-bonus", { bonus: money(bonus, topUp.currency) }) : undefined;
}
