import type { Composer } from "grammy";
import { createStartLinks, startLink } from "../../customers/start-links.js";
import { AdminComposer } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { isAdmin } from "../filters/is-admin.js";

/**
 * /link_for <login> (also typed as /link-for): the link that opens the bot with that login linked, for the
 * panel's "Add funds" page or to send a customer. Telegram command names cannot contain "-", so "/link-for"
 * arrives as text; it is matched here before /link would take it.
 */
export function adminLinkForFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  const startLinks = createStartLinks(deps.database.db, deps.config.bot.token);
  const answer = async (ctx: BotContext, login: string) => {
    if (!login) return ctx.reply(ctx.t("admin-link-for-usage"));
    const link = startLink(ctx.me.username, await startLinks.payloadFor(login));
    return ctx.reply(ctx.t("admin-link-for", { login, link }), { link_preview_options: { is_disabled: true } });
  };
  admin.command("link_for", (ctx) => answer(ctx, ctx.match.trim()));
  admin.composer.filter(isAdmin(deps.config)).hears(/^\/link-for(?:@\w+)?(?:\s+([\s\S]*))?$/, (ctx) => answer(ctx, (ctx.match[1] ?? "").trim()));
  return admin.composer;
}
