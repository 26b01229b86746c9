import { Composer } from "grammy";
import { ProviderError } from "../../payments/provider.js";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { CANCEL_DATA, CHECK_DATA, SHOW_DATA } from "../keyboards/topup.js";
import { sendPaymentCard } from "../payment-card.js";
import { ignoreRefusal } from "../telegram-errors.js";
import { cancelTopUp, cardDeps, isPayable, ownTopUp } from "../topup-actions.js";

/** A customer may ask the provider at most this often. */
export const CHECK_INTERVAL_MS = 10_000;

/** The buttons under a card and under the "you already have one" offer. */
export function paymentButtonsFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.callbackQuery(CHECK_DATA, async (ctx) => {
    const topUp = await ownTopUp(ctx, deps, Number(ctx.match[1]));
    if (!topUp) return ctx.answerCallbackQuery({ text: ctx.t("topup-not-found") });
    if (!(await deps.storage.acquire(`check:${ctx.from.id}`, CHECK_INTERVAL_MS))) {
      return ctx.answerCallbackQuery({ text: ctx.t("check-too-soon") });
    }
    try {
      const { state } = await deps.topUps.check(topUp, "check");
      await ctx.answerCallbackQuery({ text: ctx.t("check-result", { state }) });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      deps.metrics.providerErrors.inc({ provider: err.provider, kind: err.kind });
      deps.log.warn({ topUpId: topUp.id, provider: err.provider, kind: err.kind, msg: err.message }, "status check failed");
      await ctx.answerCallbackQuery({ text: ctx.t("check-failed") });
    }
  });

  composer.callbackQuery(CANCEL_DATA, async (ctx) => {
    const topUp = await ownTopUp(ctx, deps, Number(ctx.match[1]));
    if (!topUp) return ctx.answerCallbackQuery({ text: ctx.t("topup-not-found") });
    await ctx.answerCallbackQuery();
    if (await cancelTopUp(ctx, deps, topUp)) {
      if (ctx.callbackQuery.message?.message_id !== topUp.messageId) await dropButtons(ctx);
    } else {
      const fresh = (await deps.topUps.find(topUp.id)) ?? topUp;
      await ctx.reply(ctx.t("cancel-too-late", { state: fresh.status, reference: fresh.reference }));
    }
  });

  composer.callbackQuery(SHOW_DATA, async (ctx) => {
    const topUp = await ownTopUp(ctx, deps, Number(ctx.match[1]));
    if (!topUp || !isPayable(topUp)) return ctx.answerCallbackQuery({ text: ctx.t("topup-not-payable") });
    await ctx.answerCallbackQuery();
    await sendPaymentCard(ctx.api, cardDeps(deps, ctx), ctx.chat!.id, topUp, ctx.t);
    // One payable QR on screen at a time.
    if (topUp.messageId !== null) await ctx.api.deleteMessage(ctx.chat!.id, topUp.messageId).catch(ignoreRefusal);
    await dropButtons(ctx);
  });

  return composer;
}

async function dropButtons(ctx: BotContext): Promise<void> {
  await ctx.editMessageReplyMarkup().catch(ignoreRefusal);
}
