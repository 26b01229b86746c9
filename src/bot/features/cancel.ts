import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { mainMenu } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";
import { cancelTopUp } from "../topup-actions.js";

/** /cancel leaves a conversation if one is waiting; otherwise it cancels the pending top-up. */
export function cancelFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("cancel", async (ctx) => {
    if (Object.keys(ctx.conversation.active()).length > 0) {
      await ctx.conversation.exitAll();
      return ctx.reply(ctx.t("cancel-left"), { reply_markup: mainMenu(ctx.t) });
    }
    const user = await currentUser(deps.customers, ctx);
    const pending = await deps.topUps.pendingFor(user.id);
    if (!pending || !(await cancelTopUp(ctx, deps, pending))) return ctx.reply(ctx.t("cancel-nothing"));
  });
  return composer;
}
