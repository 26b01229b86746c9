import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { dateTime, money } from "../format.js";
import { MENU } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";

const SHOWN = 10;

export function historyFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const show = async (ctx: BotContext) => {
    const user = await currentUser(deps.customers, ctx);
    const topUps = await deps.topUps.recentFor(user.id, SHOWN);
    if (topUps.length === 0) return ctx.reply(ctx.t("history-empty"));
    const lines = topUps.map((topUp) =>
      ctx.t("history-line", {
        date: dateTime(topUp.createdAt),
        amount: money(topUp.amountMinor, topUp.currency),
        status: ctx.t("status-name", { status: topUp.status }),
        reference: topUp.reference,
      }),
    );
    return ctx.reply(`${ctx.t("history-title", { count: topUps.length })}\n\n${lines.join("\n")}`);
  };
  composer.command("history", show);
  composer.callbackQuery(MENU.history, async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx);
  });
  return composer;
}
