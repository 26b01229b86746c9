import { Composer } from "grammy";
import { TOPUP_CONVERSATION } from "../conversations/topup.js";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { linkButton, MENU } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";
import { offerPending } from "../topup-actions.js";

/** Checks what can be checked before asking anything, then starts the top-up conversation (amount presets first). */
export function beginTopUp(deps: FeatureDeps) {
  return async (ctx: BotContext) => {
    await ctx.conversation.exitAll();
    if (deps.config.providers.enabled.length === 0) {
      await ctx.reply(ctx.t("topup-unavailable"));
      return;
    }
    const user = await currentUser(deps.customers, ctx);
    if (!user.panelLogin) {
      await ctx.reply(ctx.t("link-needed"), { reply_markup: linkButton(ctx.t) });
      return;
    }
    const pending = await deps.topUps.pendingFor(user.id);
    if (pending) {
      await offerPending(ctx, pending);
      return;
    }
    await ctx.conversation.enter(TOPUP_CONVERSATION);
  };
}

export function topUpFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const begin = beginTopUp(deps);
  composer.command("topup", begin);
  composer.callbackQuery(MENU.topup, async (ctx) => {
    await ctx.answerCallbackQuery();
    await begin(ctx);
  });
  return composer;
}
