import { Composer } from "grammy";
import { createStartLinks } from "../../customers/start-links.js";
import type { BotContext } from "../context.js";
import { lookUpLogin } from "../conversations/link-account.js";
import type { FeatureDeps } from "../deps.js";
import { mainMenu } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";
import { beginTopUp } from "./topup.js";

/**
 * `/start`, and `/start <login or short code>` from a link on the panel's "Add funds" page
 * (`https://t.me/<bot>?start=<login>`): links that login as /link does (checked on the panel, nothing of the
 * account shown), then offers the amounts. Balances stay hidden until this Telegram user has paid into it.
 */
export function startFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const startLinks = createStartLinks(deps.database.db, deps.config.bot.token);
  const topUp = beginTopUp(deps);
  composer.command("start", async (ctx) => {
    const greeting = ctx.t("start-greeting", { name: ctx.from?.first_name ?? "" });
    const login = ctx.match ? await startLinks.loginFor(ctx.match.trim()) : undefined;
    if (login !== undefined) {
      const found = await lookUpLogin(deps, login);
      if (found.kind === "found") {
        await deps.customers.linkLogin(await currentUser(deps.customers, ctx), found.login);
        await ctx.reply(`${greeting}\n\n${ctx.t("start-link-linked", { login: found.login })}`);
        await topUp(ctx);
        return;
      }
      const why = found.kind === "not_found" ? ctx.t("start-link-not-found", { login }) : ctx.t("link-panel-unavailable");
      await ctx.reply(`${greeting}\n\n${why}`, { reply_markup: mainMenu(ctx.t) });
      return;
    }
    const user = await currentUser(deps.customers, ctx);
    const next = user.panelLogin ? ctx.t("start-linked", { login: user.panelLogin }) : ctx.t("start-not-linked");
    await ctx.reply(`${greeting}\n\n${next}`, { reply_markup: mainMenu(ctx.t) });
  });
  return composer;
}
