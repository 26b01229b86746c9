import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { isAdmin } from "../filters/is-admin.js";
import { mainMenu, MENU } from "../keyboards/main-menu.js";
import { limits } from "../topup-actions.js";

export function helpFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admin = isAdmin(deps.config);
  const show = async (ctx: BotContext) => {
    await ctx.reply(ctx.t("help", limits(deps)), { reply_markup: mainMenu(ctx.t) });
    if (admin(ctx)) await ctx.reply(ctx.t("admin-help"));
  };
  composer.command("help", show);
  composer.callbackQuery(MENU.help, async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx);
  });
  return composer;
}
