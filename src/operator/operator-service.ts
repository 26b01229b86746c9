import type { Handler } from "hono";
import { createPlatformReport } from "../admin/platform-report.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { createMerchantStore } from "../platform/merchant-store.js";
import type { OperatorBotSettings } from "../platform/operator-settings.js";
import { telegramWebhook } from "../server/telegram-webhook.js";
import { connectTelegram, TelegramRefusedError } from "../startup/telegram.js";
import { createOperatorBot } from "./operator-bot.js";

export interface OperatorBotService {
  /** Resolves once Telegram took the token and the webhook; rejects with TelegramRefusedError naming PLATFORM_BOT_TOKEN. */
  connected: Promise<void>;
  /** Why it does not take updates yet; undefined once connected. */
  notReadyReason(): string | undefined;
  /** POST of an update at OPERATOR_WEBHOOK_PATH, its secret_token checked in constant time. */
  webhook: Handler;
  stop(): void;
}

/**
 * The operators' bot, served by webhook: connected in the background (getMe, then one setWebhook to
 * PUBLIC_URL/platform/telegram with the secret_token derived from MASTER_KEY). A token that is a stored
 * merchant's bot is refused before the webhook moves: that shop's customers would lose their bot.
 */
export function serveOperatorBot(settings: OperatorBotSettings, deps: { database: Database; log: Logger }): OperatorBotService {
  const log = deps.log.child({ bot: "operators" });
  const bot = createOperatorBot(settings, { operatorIds: settings.operatorIds, platformReport: createPlatformReport(deps.database), log });
  const store = createMerchantStore(deps.database);
  const connection = connectTelegram(bot, {
    log,
    tokenVariable: "PLATFORM_BOT_TOKEN",
    async setUp() {
      const merchant = await store.findByBot(bot.botInfo.id);
      if (merchant) throw new TelegramRefusedError(`PLATFORM_BOT_TOKEN: @${bot.botInfo.username} is merchant "${merchant.name}"'s bot: the operators' bot needs a bot of its own (@BotFather → /newbot)`);
      await bot.api.setWebhook(settings.webhookUrl, { secret_token: settings.webhookSecret });
      log.info({ bot: bot.botInfo.username }, "operators' bot started");
    },
  });
  return {
    connected: connection.connected,
    notReadyReason: connection.notReadyReason,
    webhook: telegramWebhook(bot, { secretToken: settings.webhookSecret, log }),
    stop: connection.stop,
  };
}
