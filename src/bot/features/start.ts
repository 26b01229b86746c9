import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { mainMenu } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";

export function startFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("start", async (ctx) => {
    const user = await currentUser(deps.customers, ctx);
    const greeting = ctx.t("start-greeting", { name: ctx.from?.first_name ?? "" });
    const next = user.panelLogin ? ctx.t("start-linked", { login: user.panelLogin }) : ctx.t("start-not-linked");
    await ctx.reply(`${greeting}\n\n${next}`, { reply_markup: mainMenu(ctx.t) });
  });
  return composer;
}
