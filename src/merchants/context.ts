import type { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Handler } from "hono";
import { createDailyReport } from "../admin/daily-report.js";
import { createBot, type BotContext } from "../bot/bot.js";
import { createDelivery } from "../bot/delivery.js";
import { databaseStorage, redisStorage, type BotStorage } from "../bot/storage.js";
import { SECRET_VARIABLES } from "../config/config.js";
import type { Deliver } from "../jobs/notifier.js";
import type { WorkLoop } from "../jobs/loop.js";
import type { PanelTimeouts } from "../panel/panel-call.js";
import { renderKhqrCard } from "../payments/card/index.js";
import { createDeepLinker, deepLinkApp } from "../payments/deeplink.js";
import { telegramWebhook } from "../server/telegram-webhook.js";
import { createMerchantServices, type MerchantServices, type MerchantSpec } from "./merchant-services.js";
import type { Shared } from "./shared.js";

export interface MerchantContextSpec extends MerchantSpec {
  /** The stored getMe answer: the bot is built without asking Telegram (a platform's merchants). */
  botInfo?: UserFromGetMe;
  /** The merchant's secret values, never to appear in a deep link; the environment's secrets by default. */
  secrets?: readonly (string | undefined)[];
  /** A disabled merchant takes no updates (no new top-ups); its payments are still recorded, credited and receipted. */
  state?: "active" | "disabled";
}

/** Everything one merchant is served with: its money path, and its bot (built on first use). */
export interface MerchantContext extends MerchantServices {
  state: "active" | "disabled";
  /** The merchant's bot: built on its first update or message, with its own Telegram throttling. */
  bot(): Bot<BotContext>;
  /** Whether the bot has been built (its cost is paid only by merchants that are used). */
  hasBot(): boolean;
  /** Sends a queued notification through the merchant's bot. */
  deliver: Deliver;
  /** POST of a Telegram update in webhook mode, the merchant's secret_token checked. */
  telegram: Handler;
  storage: BotStorage;
  /** DAILY_REPORT_AT's loop, when set. */
  dailyReport?: WorkLoop;
  close(): Promise<void>;
}

/** Builds one merchant's services and bot over the shared pieces; starts nothing. */
export function createMerchantContext(shared: Shared, spec: MerchantContextSpec, opts: { panelTimeouts?: Partial<PanelTimeouts> } = {}): MerchantContext {
  const services = createMerchantServices(shared, spec, opts);
  const { config, database, topUps, panel, admin } = services;
  const { log, metrics } = shared;
  const redis = shared.redis();
  const storage = redis ? redisStorage(redis, spec.id) : databaseStorage(database.db, spec.id);
  const secrets = spec.secrets ?? SECRET_VARIABLES.map((name) => process.env[name]);

  let bot: Bot<BotContext> | undefined;
  const botOf = () => {
    if (bot) return bot;
    // Links are only asked for from handlers, which run once the bot knows its own name.
    const deepLinks = createDeepLinker({ bakong: config.providers.bakong, app: () => deepLinkApp(config.bot, built.botInfo), log, metrics, secrets: [...secrets] });
    const built = createBot(config.bot.token, { config, database, topUps, panel, admin, renderCard: renderKhqrCard, log, metrics, storage, deepLinks, ...(spec.botInfo ? { botInfo: spec.botInfo } : {}) });
    bot = built;
    return built;
  };
  let deliver: Deliver | undefined;
  let telegram: Handler | undefined;
  const dailyReport = config.dailyReportAtMinutes === undefined
    ? undefined
    : createDailyReport({ database, wakeup: shared.wakeup, adminChats: services.adminChats, atMinutes: config.dailyReportAtMinutes, log });

  return {
    ...services,
    state: spec.state ?? "active",
    bot: botOf,
    hasBot: () => bot !== undefined,
    deliver: (chatId, payload) => (deliver ??= createDelivery(botOf().api, { database, panel, config, log }))(chatId, payload),
    telegram: (c, next) => {
      const secretToken = config.bot.webhookSecret;
      // Polling mode has no webhook: nothing to take updates with, and no secret to check them by.
      if (secretToken === undefined) return c.json({ ok: false, error: "not found" }, 404);
      return (telegram ??= telegramWebhook(botOf(), { secretToken, log }))(c, next);
    },
    storage,
    dailyReport,
    async close() {
      await dailyReport?.stop();
      // The Redis connection is shared: closed with the shared pieces, not per merchant.
      if (!redis) await storage.close();
    },
  };
}
