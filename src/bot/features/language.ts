import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { isLocale } from "../i18n.js";
import { LANGUAGE_DATA, languageKeyboard } from "../keyboards/language.js";
import { MENU, mainMenu } from "../keyboards/main-menu.js";

export function languageFeature(deps: FeatureDeps): Composer<BotContext> {
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
    await deps.customers.setLanguage(ctx.from.id, language);
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("language-changed"), { reply_markup: mainMenu(ctx.t) });
  });
  return composer;
}
