import { run, type RunnerHandle } from "@grammyjs/runner";
import { appendFileSync } from "node:fs";
import { Writable } from "node:stream";
import jsQRModule from "jsqr";
import { PNG } from "pngjs";
import { createAdminService } from "../../src/admin/create-admin-service.js";
import type { AdminService } from "../../src/admin/admin-service.js";
import { createBot } from "../../src/bot/bot.js";
import { createDelivery } from "../../src/bot/delivery.js";
import type { BotDeps, DeepLinker } from "../../src/bot/deps.js";
import { createBotStorage } from "../../src/bot/storage.js";
import { loadConfig, type Config } from "../../src/config/config.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { createNotifier } from "../../src/jobs/notifier.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createCrediter } from "../../src/jobs/crediter.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { renderKhqrCard } from "../../src/payments/card/index.js";
import type { LedgerDeps } from "../../src/ledger/record-payment.js";
import { createPoller } from "../../src/jobs/poller.js";
import { createProviders } from "../../src/payments/providers/create-providers.js";
import { createTopUpService, type TopUpService } from "../../src/payments/topups.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startAhnajakSimulator, type AhnajakSimulator } from "../../sandbox/providers/ahnajak-simulator.js";
import { startBakongSimulator, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { createFakeTelegram, type BotDriver, type ChatMessage, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { fakeBotToken } from "../support/bot-token.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export const ADMIN_ID = 900_001;
export const ADMIN_CHAT = -100_777;

export interface HarnessOptions {
  /** Ahnajak (checkout link) besides Bakong (KHQR): the customer then chooses. */
  withAhnajak?: boolean;
  panelUsers?: Record<string, number>;
  /** The "Open in bank app" link maker under KHQR cards. */
  deepLinks?: DeepLinker;
}

/**
 * The bot against the fake Telegram server over HTTP, long polling through the runner, with a real
 * SQLite database, the Bakong and panel simulators and the real poller, crediter and notifier.
 */
export async function startHarness(opts: HarnessOptions = {}) {
  const fake: FakeTelegram = await createFakeTelegram();
  const token = fakeBotToken(700_000 + Math.floor(Math.random() * 99_999), "TEST-bot_token");
  const driver: BotDriver = fake.bot(token, { username: "khqr_topup_bot" });
  driver.addGroup({ id: ADMIN_CHAT, title: "Admins" });
  driver.addUser({ id: ADMIN_ID, first_name: "Sophea", username: "sophea_admin", language_code: "en" });

  const database: TestDatabase = await freshSqlite();
  const bakong: BakongSimulator = await startBakongSimulator({ token: "bakong-test-token" });
  const ahnajak: AhnajakSimulator | undefined = opts.withAhnajak
    ? await startAhnajakSimulator({ profileId: "prof-1", secretKey: "ahnajak-secret-key" })
    : undefined;
  const panel: PanelSimulator = await startPerfectPanelSimulator({ apiKey: "panel-key-123", users: opts.panelUsers ?? { dara: 250 } });

  const config: Config = loadConfig({
    BOT_TOKEN: token,
    TELEGRAM_API_ROOT: fake.url,
    ADMIN_IDS: String(ADMIN_ID),
    ADMIN_CHAT_ID: String(ADMIN_CHAT),
    BAKONG_TOKEN: "bakong-test-token",
    BAKONG_ACCOUNT_ID: "merchant@aclb",
    BAKONG_API_URL: bakong.url,
    ...(ahnajak ? { AHNAJAK_PROFILE_ID: "prof-1", AHNAJAK_SECRET_KEY: "ahnajak-secret-key", AHNAJAK_BASE_URL: ahnajak.url } : {}),
    PANEL_URL: panel.url,
    PANEL_API_KEY: "panel-key-123",
    TOPUP_MIN: "1",
    TOPUP_MAX: "500",
    TOPUP_PRESETS: "5,10,20",
    MERCHANT_NAME: "Test SMM Shop",
  });

  const log = createLogger({
    level: process.env.TEST_LOG_LEVEL ?? "silent",
    secrets: [token],
    ...(process.env.TEST_LOG_FILE ? { destination: fileSink(process.env.TEST_LOG_FILE) } : {}),
  });
  const metrics = createMetrics();
  const wakeup = createLocalWakeup();
  const adminChats = [BigInt(ADMIN_CHAT)];
  const providers = createProviders(config, { log });
  const panelClient = createPanelClient(config.panel, { log });
  const merchant = forMerchant(database, DEFAULT_MERCHANT_ID);
  const ledger: LedgerDeps = { merchantId: merchant.merchantId, database, wakeup, log, metrics, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, adminChats };
  const topUps: TopUpService = createTopUpService({ database: merchant, providers, ledger, topup: config.topup, metrics, log });
  const outages = createOutageTracker({ db: database.db, merchantId: merchant.merchantId, adminChats, log, onChange: () => wakeup.notify("notifications") });
  const admin: AdminService = createAdminService({
    database: merchant, providers, panel: panelClient, wakeup, topUpCurrency: config.topup.currency, adminChats,
    panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, log,
    bonus: { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd },
  });
  const storage = createBotStorage({ config, database: merchant });
  const deps: BotDeps = { config, database: merchant, topUps, panel: panelClient, admin, renderCard: renderKhqrCard, log, metrics, storage, ...(opts.deepLinks ? { deepLinks: opts.deepLinks } : {}) };

  const poller = createPoller({ database, providers, ledger, topUps, outages, metrics, log }, { graceMs: 3_600_000, claimMs: 10_000, sweepMs: 100, batch: 50 });
  const crediter = createCrediter(
    { database, panel: panelClient, wakeup, outages, log, metrics, adminChats, bonus: { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd } },
    { retryForMs: 60_000, leaseMs: 30_000, reconcileDelayMs: 500, concurrency: 4, sweepMs: 100, instanceId: "test" },
  );

  let bot = createBot(token, deps);
  const notifier = createNotifier({ database, wakeup, deliver: createDelivery(bot.api, { database: merchant, panel: panelClient, config, log }), log }, { sweepMs: 100, leaseMs: 30_000, batch: 20 });
  let runner: RunnerHandle | undefined;

  const harness = {
    fake, driver, database, config, bakong, ahnajak, panel, providers, topUps, admin, deps, poller, crediter, notifier,
    get bot() {
      return bot;
    },
    /** Long polling, as in production. */
    startBot() {
      runner = run(bot);
    },
    async stopBot() {
      if (!runner) return;
      const stopping = runner;
      runner = undefined;
      await stopping.stop();
      // stop() resolves once no more updates are fetched, not when the ones in hand are done.
      while (stopping.size() > 0) await new Promise((r) => setTimeout(r, 10));
    },
    /** A new bot instance over the same storage and database (a restart or a second instance). */
    async restartBot() {
      await harness.stopBot();
      bot = createBot(token, deps);
      harness.startBot();
    },
    startWorkers() {
      poller.start();
      crediter.start();
      notifier.start();
    },
    async close() {
      await harness.stopBot();
      await Promise.all([poller.stop(), crediter.stop(), notifier.stop()]);
      await storage.close();
      await Promise.all([fake.close(), bakong.close(), panel.close(), ahnajak?.close()]);
      await wakeup.close();
      await database.drop();
    },
  };
  return harness;
}

/** TEST_LOG_FILE=<path> (with TEST_LOG_LEVEL) keeps the bot's log of a run for debugging. */
function fileSink(path: string): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      appendFileSync(path, chunk);
      done();
    },
  });
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export function textOf(m: ChatMessage): string {
  return m.text ?? m.caption ?? "";
}

/** The next bot message in the chat (newer than any so far) that matches. */
export function nextMessage(driver: BotDriver, chatId: number, match: string | RegExp | ((m: ChatMessage) => boolean), timeoutMs = 8000): Promise<ChatMessage> {
  const after = Math.max(0, ...driver.messagesIn(chatId).map((m) => m.message_id));
  const test = typeof match === "function" ? match : (m: ChatMessage) => (typeof match === "string" ? textOf(m).includes(match) : match.test(textOf(m)));
  return driver.waitFor(chatId, (m) => m.message_id > after && !m.deleted && test(m), timeoutMs);
}

/** Waits until `check` passes (for state that changes without a new message). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The top-up a card shows; its message id (unique only within a chat) is stored right after the card is sent. */
export function topUpShownBy(h: Harness, card: ChatMessage) {
  return eventually(() => h.database.db.topUp.findFirstOrThrow({ where: { messageId: card.message_id, chatId: BigInt(card.chat_id) } }));
}

export function buttons(m: ChatMessage): Array<{ text: string; callback_data?: string; url?: string }> {
  const keyboard = (m.reply_markup?.inline_keyboard ?? []) as Array<Array<{ text: string; callback_data?: string; url?: string }>>;
  return keyboard.flat();
}

export function buttonData(m: ChatMessage, label: string | RegExp): string {
  const found = buttons(m).find((b) => (typeof label === "string" ? b.text.includes(label) : label.test(b.text)));
  if (!found?.callback_data) throw new Error(`no button ${label} on message ${m.message_id}: ${JSON.stringify(buttons(m))}`);
  return found.callback_data;
}

// jsqr is CommonJS with an ES-style default export: the function is `default` of the module object.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

/** Reads the QR code in a photo the bot sent. */
export function decodeQrPhoto(m: ChatMessage): string {
  if (!m.photo?.bytes) throw new Error(`message ${m.message_id} has no uploaded photo`);
  const png = PNG.sync.read(Buffer.from(m.photo.bytes));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error("no QR code found in the photo");
  return code.data;
}
