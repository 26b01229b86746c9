import { InlineKeyboard } from "grammy";
import type { ProviderName } from "../../config/config.js";
import type { TopUp } from "../../generated/sqlite/client.js";
import { formatMoney, type Currency } from "../../money/money.js";
import type { Translate } from "../i18n.js";

/** Buttons a conversation answers start with "c:"; everything else passes through it. */
export const CONVERSATION_PREFIX = "c:";
export const CANCEL_INPUT = "c:cancel";
export const AMOUNT_DATA = /^c:amt:(\d+)$/;
export const PROVIDER_DATA = /^c:prov:([a-z]+)$/;

export const CHECK_DATA = /^tu:check:(\d+)$/;
export const CANCEL_DATA = /^tu:cancel:(\d+)$/;
export const SHOW_DATA = /^tu:show:(\d+)$/;

export function amountKeyboard(presetsMinor: readonly number[], currency: Currency, t: Translate): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  presetsMinor.forEach((minor, i) => {
    keyboard.text(formatMoney(minor, currency), `c:amt:${minor}`);
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard.row().text(t("button-cancel"), CANCEL_INPUT);
}

export function providerKeyboard(providers: readonly ProviderName[], t: Translate): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const name of providers) keyboard.text(t(`provider-${name}`), `c:prov:${name}`).row();
  return keyboard.text(t("button-cancel"), CANCEL_INPUT);
}

export function cancelInputKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("button-cancel"), CANCEL_INPUT);
}

/** Under the KHQR card (or the checkout link): pay on this phone (when there is a link), check, cancel. */
export function paymentKeyboard(topUp: Pick<TopUp, "id" | "checkoutUrl">, t: Translate, bankAppLink?: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (topUp.checkoutUrl) keyboard.url(t("button-pay-aba"), topUp.checkoutUrl).row();
  else if (bankAppLink) keyboard.url(t("button-open-bank-app"), bankAppLink).row();
  return keyboard.text(t("button-check"), `tu:check:${topUp.id}`).row().text(t("button-cancel-topup"), `tu:cancel:${topUp.id}`);
}

export function pendingKeyboard(topUpId: number, t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("button-show-again"), `tu:show:${topUpId}`).row().text(t("button-cancel-topup"), `tu:cancel:${topUpId}`);
}
