import { InlineKeyboard } from "grammy";
import { money } from "../../bot/format.js";
import type { Translate } from "../../bot/i18n.js";
import type { Config } from "../../config/config.js";
import { redactUrlCredentials } from "../../config/redact-url.js";
import { startLink } from "../../customers/start-links.js";
import { TEST_PAYMENT_MINOR } from "../../payments/topups.js";
import type { MerchantRecord } from "../../platform/merchant-store.js";
import { TEST_PAYMENT_START } from "../../platform/test-payments.js";
import type { OperatorDeps } from "../context.js";

/**
 * What a shop's owner reads to make its test payment, with the button that opens their own shop bot on it
 * (`?start=testpayment`). Told exactly what comes: their panel username asked first when this Telegram account is
 * not linked in that shop yet, else the panel user it credits.
 */
export async function testPaymentOffer(deps: OperatorDeps, shop: MerchantRecord, config: Config, ownerId: number, t: Translate): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const customer = await deps.database.db.user.findUnique({ where: { merchantId_telegramId: { merchantId: shop.id, telegramId: BigInt(ownerId) } }, select: { panelLogin: true } });
  const { currency } = config.topup;
  const bot = shop.botUsername ?? "";
  const vars = { amount: money(TEST_PAYMENT_MINOR[currency], currency), bot, panel: redactUrlCredentials(config.panel.url), login: customer?.panelLogin ?? "" };
  return {
    text: t(customer?.panelLogin ? "operator-testpay-howto-linked" : "operator-testpay-howto", vars),
    keyboard: new InlineKeyboard().url(t("operator-testpay-button"), startLink(bot, TEST_PAYMENT_START)),
  };
}
