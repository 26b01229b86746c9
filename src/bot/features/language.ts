import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { isLocale } from "../i18n.js";
import { LANGUAGE_DATA, languageKeyboard } from "../keyboards/language.js";
import { MENU, mainMenu } from "../keyboards/main-menu.js";

export function languageFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const ask = (ctx: BotContext) => ctx.reply(ctx.t("language-choose"), { reply_markup: languageKeyboard(ctx.t) });
  composer.command("language", ask);
  composer.callbackQuery(MENU.language, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ask(ctx);
  });
  composer.callbackQuery(LANGUAGE_DATA, async (ctx) => {
    const language = ctx.match[1];
    if (!isLocale(language)) return;
    ctx.session.language = language;
    await ctx.i18n.renegotiateLocale();
    // The notifier writes to this user later in the language stored here.
    await deps.database.db.user.update({ where: { telegramId: BigInt(ctx.from.id) }, data: { language } });
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("language-changed"), { reply_markup: mainMenu(ctx.t) });
  });
  return composer;
}
