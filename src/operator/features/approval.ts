import { Composer, GrammyError, InlineKeyboard, type Api } from "grammy";
import { LOCALES, translator, type Locale } from "../../bot/i18n.js";
import type { OnboardingState } from "../../onboarding/state.js";
import { approveMerchant, type AddedMerchant } from "../../platform/add-merchant.js";
import { MerchantRefusal } from "../../platform/merchant-store.js";
import { merchantWebhookAddresses } from "../../platform/webhook-addresses.js";
import type { OperatorContext, OperatorDeps } from "../context.js";
import { testPaymentOffer } from "./test-payment-offer.js";

/** The approve button: the merchant's language rides along, to tell them in it. */
const approveData = (locale: Locale, name: string) => `ap:${locale}:${name}`;

/**
 * A shop just submitted by onboarding: each operator gets its summary (name, bot, panel, providers: never a
 * secret) with an Approve button. An operator who never opened the bot cannot be written to: logged, the others still are.
 */
export async function askOperatorsToApprove(api: Api, deps: OperatorDeps, added: AddedMerchant, state: OnboardingState): Promise<void> {
  const t = translator("en");
  const text = t("operator-approve-request", {
    name: added.merchant.name, bot: added.bot.username, panel: added.config.panel.type, url: added.config.panel.url,
    providers: added.config.providers.enabled.join(", "), merchant: state.userId,
  });
  const keyboard = new InlineKeyboard().text(t("operator-approve-button"), approveData(state.locale, added.merchant.name));
  for (const operator of deps.operatorIds) {
    try {
      await api.sendMessage(operator, text, { reply_markup: keyboard });
    } catch (err) {
      if (!(err instanceof GrammyError)) throw err;
      deps.log.warn({ operator, merchant: added.merchant.name, msg: err.description }, "operators' bot: an operator could not be asked to approve");
    }
  }
}

/** Operators only: Approve → the shop goes live (audited by the store), and its merchant is told with their webhook addresses and how to make its test payment. */
export function approvalFeature(deps: OperatorDeps): Composer<OperatorContext> {
  const composer = new Composer<OperatorContext>();
  composer.callbackQuery(new RegExp(`^ap:(${LOCALES.join("|")}):(.+)$`), async (ctx) => {
    const locale = ctx.match[1] as Locale;
    const name = ctx.match[2]!;
    let approved: Awaited<ReturnType<typeof approveMerchant>>;
    try {
      approved = await approveMerchant(deps.admin, name, ctx.from.id);
    } catch (err) {
      if (!(err instanceof MerchantRefusal) || !["not_pending", "removed", "not_found"].includes(err.reason)) throw err;
      await ctx.answerCallbackQuery({ text: ctx.t("operator-approve-already", { name }) });
      return ctx.reply(ctx.t("operator-approve-already", { name }));
    }
    const { merchant, webhookError } = approved;
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("operator-approve-done", { name }) + (webhookError ? `\n${ctx.t("operator-approve-webhook-failed", { error: webhookError })}` : ""));
    const config = await deps.admin.store.loadConfig(merchant.id, deps.admin.settings.masterKey, deps.admin.processEnv);
    const addresses = merchantWebhookAddresses(deps.admin.settings.publicUrl, merchant.routeKey!, config.providers.enabled);
    const webhooks = Object.entries(addresses.providers).map(([p, url]) => `${p}: ${url}`).join("\n") || "—";
    const t = translator(locale);
    const text = `${t("onboarding-approved", { name, username: merchant.botUsername ?? "" })}\n${t("operator-approved-webhooks", { webhooks })}`;
    for (const owner of config.bot.adminIds) {
      // The next step, the test payment, comes with the news: no /myshop needed for it.
      const offer = await testPaymentOffer(deps, merchant, config, owner, t);
      await ctx.api.sendMessage(owner, `${text}\n\n${offer.text}`, { reply_markup: offer.keyboard }).catch((err: unknown) => {
        if (!(err instanceof GrammyError)) throw err;
        deps.log.warn({ merchant: name, msg: err.description }, "operators' bot: the merchant could not be told of the approval");
      });
    }
  });
  return composer;
}
