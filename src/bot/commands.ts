import { Composer, GrammyError, type Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { Config } from "../config/config.js";
import type { Logger } from "../logger.js";
import type { BotContext } from "./context.js";
import type { FeatureDeps } from "./deps.js";
import { adminCreditFeature } from "./features/admin-credit.js";
import { adminFindFeature } from "./features/admin-find.js";
import { adminLinkForFeature } from "./features/admin-link-for.js";
import { adminPendingFeature } from "./features/admin-pending.js";
import { adminRefundFeature } from "./features/admin-refund.js";
import { adminReportFeature } from "./features/admin-report.js";
import { balanceFeature } from "./features/balance.js";
import { cancelFeature } from "./features/cancel.js";
import { helpFeature } from "./features/help.js";
import { historyFeature } from "./features/history.js";
import { languageFeature } from "./features/language.js";
import { linkAccountFeature } from "./features/link-account.js";
import { topUpFeature } from "./features/topup.js";
import { isAdmin } from "./filters/is-admin.js";
import { LOCALES, translator, type Locale } from "./i18n.js";

/** One bot command. Its menu description, in English and Khmer, is `command-<name>` in locales/en.ftl and km.ftl. */
export interface BotCommandDefinition {
  /** Typed after the slash; Telegram's menu takes 1-32 lowercase letters, digits and underscores. */
  name: string;
  /** Admins' commands reach only ADMIN_IDS (anyone else gets "unknown command") and are in their chats' menus only. */
  audience: "everyone" | "admins";
  /** The feature that registers the handler; a feature may handle several commands, and is installed once. */
  feature: (deps: FeatureDeps) => Composer<BotContext>;
  /** Handled ahead of the conversations, so that it can see and leave one waiting for input. */
  beforeConversations?: true;
}

/** Every command, in menu order: adding one is one entry here plus its two descriptions. */
export const BOT_COMMANDS: readonly BotCommandDefinition[] = [
  { name: "topup", audience: "everyone", feature: topUpFeature },
  { name: "balance", audience: "everyone", feature: balanceFeature },
  { name: "history", audience: "everyone", feature: historyFeature },
  { name: "link", audience: "everyone", feature: linkAccountFeature },
  { name: "language", audience: "everyone", feature: languageFeature },
  { name: "help", audience: "everyone", feature: helpFeature },
  { name: "cancel", audience: "everyone", feature: cancelFeature, beforeConversations: true },
  { name: "refund", audience: "admins", feature: adminRefundFeature },
  { name: "report", audience: "admins", feature: adminReportFeature },
  { name: "find", audience: "admins", feature: adminFindFeature },
  { name: "pending", audience: "admins", feature: adminPendingFeature },
  { name: "recredit", audience: "admins", feature: adminCreditFeature },
  { name: "credit", audience: "admins", feature: adminCreditFeature },
  { name: "link_for", audience: "admins", feature: adminLinkForFeature },
];

/**
 * The handlers of the commands handled ahead of the conversations, or of all the others: each feature once,
 * admins' first and behind the admin filter (a feature's commands share one audience). Admins' go first so
 * that a longer command of theirs is not taken for a shorter one of everyone's ("/link-for" is "/link" to grammY).
 */
export function commandHandlers(deps: FeatureDeps, stage: "beforeConversations" | "afterConversations"): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admin = isAdmin(deps.config);
  const wanted = BOT_COMMANDS.filter((c) => (c.beforeConversations === true) === (stage === "beforeConversations"));
  const features = wanted.filter((c, i) => wanted.findIndex((d) => d.feature === c.feature) === i);
  for (const { feature } of features.filter((c) => c.audience === "admins")) composer.filter(admin, feature(deps));
  for (const { feature } of features.filter((c) => c.audience === "everyone")) composer.use(feature(deps));
  return composer;
}

function menu(locale: Locale, audiences: readonly BotCommandDefinition["audience"][]): BotCommand[] {
  const t = translator(locale);
  return BOT_COMMANDS.filter((c) => audiences.includes(c.audience)).map((c) => ({ command: c.name, description: t(`command-${c.name}`) }));
}

/**
 * The command menu: everyone's commands in English (default) and Khmer; admins see theirs as well,
 * in their own chats only. Run once at start by the composition root. An admin who has not opened
 * the bot yet has no chat ("chat not found"): that admin is skipped and logged, the rest still apply.
 */
export async function registerCommands(api: Api, config: Config, log?: Logger): Promise<void> {
  for (const locale of LOCALES) {
    const language_code = locale === "en" ? undefined : locale;
    await api.setMyCommands(menu(locale, ["everyone"]), language_code ? { language_code } : {});
    for (const chat_id of config.bot.adminIds) {
      const scope = { type: "chat" as const, chat_id };
      try {
        await api.setMyCommands(menu(locale, ["everyone", "admins"]), language_code ? { scope, language_code } : { scope });
      } catch (err) {
        if (!(err instanceof GrammyError)) throw err;
        log?.warn({ adminId: chat_id, msg: err.description }, "could not set the admin command menu");
      }
    }
  }
}
