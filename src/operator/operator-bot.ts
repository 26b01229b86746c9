import { Bot, session, type StorageAdapter } from "grammy";
import { negotiateLocale, translator } from "../bot/i18n.js";
import { describeError } from "../bot/telegram-errors.js";
import type { OperatorBotSettings } from "../platform/operator-settings.js";
import type { OperatorContext, OperatorDeps, OperatorSession } from "./context.js";
import { approvalFeature } from "./features/approval.js";
import { myShopFeature } from "./features/my-shop.js";
import { newShopFeature } from "./features/new-shop.js";
import { platformReportFeature } from "./features/platform-report.js";

/** The features for anyone in a private chat: merchants open and run their shops (src/operator/features). */
const MERCHANT_FEATURES = [newShopFeature, myShopFeature];
/** The features only operators reach. */
const OPERATOR_FEATURES = [platformReportFeature, approvalFeature];

/**
 * The platform's own bot (PLATFORM_BOT_TOKEN), separate from every shop's: private chats only, in English or
 * Khmer. Anyone opens a shop (/newshop) and runs their own (/myshop, /pause, /resume); operators
 * (PLATFORM_ADMIN_IDS) also get the platform's figures and approve shops. Anything else: the commands the sender
 * may use. Builds the bot; starts nothing (the composition root serves it by webhook).
 */
export function createOperatorBot(settings: Pick<OperatorBotSettings, "token" | "apiRoot">, deps: OperatorDeps & { sessions: StorageAdapter<OperatorSession> }): Bot<OperatorContext> {
  const bot = new Bot<OperatorContext>(settings.token, { client: { apiRoot: settings.apiRoot } });
  const chats = bot.chatType("private");
  chats.use((ctx, next) => {
    ctx.t = translator(negotiateLocale({ from: ctx.from }));
    return next();
  });
  chats.use(session({ storage: deps.sessions, initial: (): OperatorSession => ({}) }));
  for (const feature of MERCHANT_FEATURES) chats.use(feature(deps));
  const operators = chats.filter((ctx) => ctx.from !== undefined && deps.operatorIds.includes(ctx.from.id));
  for (const feature of OPERATOR_FEATURES) operators.use(feature(deps));
  operators.on("message", (ctx) => ctx.reply(ctx.t("operator-help")));
  chats.on("message", (ctx) => ctx.reply(ctx.t("operator-merchant-help")));
  chats.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("operator-only") }));

  bot.catch(async ({ ctx, error }) => {
    deps.log.error({ updateId: ctx.update.update_id, ...describeError(error) }, "operators' bot: update failed");
    if (ctx.chat?.type === "private") await ctx.reply(translator(negotiateLocale({ from: ctx.from }))("operator-failed")).catch(() => undefined);
  });
  return bot;
}
