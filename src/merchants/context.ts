import type { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Handler } from "hono";
import { createDailyReport } from "../admin/daily-report.js";
import { createBot, createSendingRules, type BotContext } from "../bot/bot.js";
import type { SendingRules } from "../bot/deps.js";
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
import { heldWhileUsed } from "./held-while-used.js";
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
  /** The merchant's secret values (the environment's for the environment merchant): what its logs mask. */
  secrets: readonly (string | undefined)[];
  /**
   * The merchant's bot: built on its first update or message, with its own Telegram throttling. A bot whose getMe is
   * stored (a platform's merchant) is let go after BOT_IDLE_MS without use and rebuilt on the next.
   */
  bot(): Bot<BotContext>;
  /** Whether the bot is built now (its cost is paid only by merchants in use). */
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

/** A platform merchant's bot (and its delivery and webhook handler) is let go after this long without an update or message. */
export const BOT_IDLE_MS = 10 * 60_000;

interface BotParts {
  bot: Bot<BotContext>;
  deliver: Deliver;
  telegram: Handler | undefined;
}

/** Builds one merchant's services and bot over the shared pieces; starts nothing. */
export function createMerchantContext(
  shared: Shared,
  spec: MerchantContextSpec,
  opts: { panelTimeouts?: Partial<PanelTimeouts>; botIdleMs?: number } = {},
): MerchantContext {
  const services = createMerchantServices(shared, spec, opts);
  const { config, database, topUps, panel, admin } = services;
  const { log, metrics } = shared;
  const redis = shared.redis();
  const storage = redis ? redisStorage(redis, spec.id) : databaseStorage(database.db, spec.id);
  const secrets = spec.secrets ?? SECRET_VARIABLES.map((name) => process.env[name]);

  let sendingRules: SendingRules | undefined;
  // Only a bot whose getMe is stored is let go: it is rebuilt without asking Telegram. Sessions and conversations
  // are in storage, not in the bot, so a conversation goes on with the rebuilt one.
  const parts = heldWhileUsed((): BotParts => {
    // Links are only asked for from handlers, which run once the bot knows its own name.
    const deepLinks = createDeepLinker({ bakong: config.providers.bakong, app: () => deepLinkApp(config.bot, bot.botInfo), log, metrics, secrets: [...secrets] });
    sendingRules ??= createSendingRules();
    const bot = createBot(config.bot.token, { config, database, topUps, panel, admin, renderCard: renderKhqrCard, log, metrics, storage, deepLinks, sendingRules, ...(spec.botInfo ? { botInfo: spec.botInfo } : {}) });
    const secretToken = config.bot.webhookSecret;
    return {
      bot,
      deliver: createDelivery(bot.api, { database, panel, config, log }),
      telegram: secretToken === undefined ? undefined : telegramWebhook(bot, { secretToken, log }),
    };
  }, spec.botInfo ? (opts.botIdleMs ?? BOT_IDLE_MS) : undefined);
  const dailyReport = config.dailyReportAtMinutes === undefined
    ? undefined
    : createDailyReport({ database, wakeup: shared.wakeup, adminChats: services.adminChats, atMinutes: config.dailyReportAtMinutes, log });

  return {
    ...services,
    state: spec.state ?? "active",
    secrets,
    bot: () => parts.get().bot,
    hasBot: parts.held,
    deliver: (chatId, payload) => parts.use((p) => p.deliver(chatId, payload)),
    telegram: (c, next) => {
      // Polling mode has no webhook: nothing to take updates with, and no secret to check them by.
      if (config.bot.webhookSecret === undefined) return c.json({ ok: false, error: "not found" }, 404);
      return parts.use((p) => p.telegram!(c, next));
    },
    storage,
    dailyReport,
    async close() {
      parts.release();
      await dailyReport?.stop();
      // The Redis connection is shared: closed with the shared pieces, not per merchant.
      if (!redis) await storage.close();
    },
  };
}
