import { GrammyError, type Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { Config } from "../config/config.js";
import type { Logger } from "../logger.js";
import { LOCALES, translator, type Locale } from "./i18n.js";

const CUSTOMER_COMMANDS = ["topup", "balance", "history", "link", "language", "help", "cancel"] as const;
const ADMIN_COMMANDS = ["refund", "report", "find", "pending", "recredit", "credit", "link_for"] as const;

function customerCommands(locale: Locale): BotCommand[] {
  const t = translator(locale);
  return CUSTOMER_COMMANDS.map((command) => ({ command, description: t(`command-${command}`) }));
}

function adminCommands(locale: Locale): BotCommand[] {
  const t = translator(locale);
  return ADMIN_COMMANDS.map((command) => ({ command, description: t(`command-${command}`) }));
}

/**
 * The command menu: customers' commands in English (default) and Khmer; admins see theirs as well,
 * in their own chats only. Run once at start by the composition root. An admin who has not opened
 * the bot yet has no chat ("chat not found"): that admin is skipped and logged, the rest still apply.
 */
export async function registerCommands(api: Api, config: Config, log?: Logger): Promise<void> {
  for (const locale of LOCALES) {
    const language_code = locale === "en" ? undefined : locale;
    await api.setMyCommands(customerCommands(locale), language_code ? { language_code } : {});
    for (const chat_id of config.bot.adminIds) {
      const scope = { type: "chat" as const, chat_id };
      try {
        await api.setMyCommands([...customerCommands(locale), ...adminCommands(locale)], language_code ? { scope, language_code } : { scope });
      } catch (err) {
        if (!(err instanceof GrammyError)) throw err;
        log?.warn({ adminId: chat_id, msg: err.description }, "could not set the admin command menu");
      }
    }
  }
}
