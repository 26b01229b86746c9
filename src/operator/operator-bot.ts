import { Bot } from "grammy";
import { negotiateLocale, translator } from "../bot/i18n.js";
import { describeError } from "../bot/telegram-errors.js";
import type { OperatorBotSettings } from "../platform/operator-settings.js";
import type { OperatorContext, OperatorDeps } from "./context.js";
import { platformReportFeature } from "./features/platform-report.js";

/** The features only operators reach, one Composer each (src/operator/features). */
const OPERATOR_FEATURES = [platformReportFeature];

/**
 * The platform's own bot (PLATFORM_BOT_TOKEN), separate from every shop's: private chats only, in English or
 * Khmer. Operators (PLATFORM_ADMIN_IDS) get the features (anything else they send, the list of commands); anyone
 * else is told, in one line, that the bot is for the platform's operators. Builds the bot; starts nothing (the composition root serves it by webhook).
 */
export function createOperatorBot(settings: Pick<OperatorBotSettings, "token" | "apiRoot">, deps: OperatorDeps): Bot<OperatorContext> {
  const bot = new Bot<OperatorContext>(settings.token, { client: { apiRoot: settings.apiRoot } });
  const chats = bot.chatType("private");
  chats.use((ctx, next) => {
    ctx.t = translator(negotiateLocale(ctx));
    return next();
  });
  const operators = chats.filter((ctx) => ctx.from !== undefined && deps.operatorIds.includes(ctx.from.id));
  for (const feature of OPERATOR_FEATURES) operators.use(feature(deps));
  operators.on("message", (ctx) => ctx.reply(ctx.t("operator-help")));
  chats.on("message", (ctx) => ctx.reply(ctx.t("operator-only")));

  bot.catch(async ({ ctx, error }) => {
    deps.log.error({ updateId: ctx.update.update_id, ...describeError(error) }, "operators' bot: update failed");
    if (ctx.chat?.type === "private") await ctx.reply(translator(negotiateLocale(ctx))("operator-failed")).catch(() => undefined);
  });
  return bot;
}

