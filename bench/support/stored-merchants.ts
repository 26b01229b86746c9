/**
 * A platform for the benches: startApplication with MASTER_KEY (servePlatform) in sandbox configuration, plus
 * `count` stored merchants, each with its own bot on the fake Telegram and RaksmeyPay webhooks at
 * /webhooks/raksmeypay/<routeKey>, all crediting on one PerfectPanel simulator in a process of its own.
 * Merchants are stored through the merchant store (as `merchant add` stores them, without its Telegram setWebhook:
 * the benches send no updates).
 */
import BetterSqlite3 from "better-sqlite3";
import { createServer } from "node:net";
import { loadConfig } from "../../src/config/config.js";
import { sqlitePath } from "../../src/db/url.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import { startApplication, type Application } from "../../src/main.js";
import { getMe } from "../../src/platform/bot-api.js";
import { newMerchantKeys } from "../../src/platform/merchant-keys.js";
import { createMerchantStore } from "../../src/platform/merchant-store.js";
import type { RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { SANDBOX_PANEL_API_KEY, startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import type { BotDriver } from "../../sandbox/telegram/index.js";
import { silentLog, stopApp, tempSqlite } from "./fixtures.js";
import { startPanelProcess } from "./panel-process.js";
import { benchMerchantVars, newMasterKey } from "./platform-merchants.js";
import { sleep } from "./result.js";

/** A stored merchant as a bench drives it. */
export interface BenchMerchant {
  id: number;
  /** Where its RaksmeyPay webhooks go: /webhooks/raksmeypay/<routeKey>. */
  webhookPath: string;
  bot: BotDriver;
}

export interface BenchPlatform {
  app: Application;
  sandbox: Sandbox;
  databaseUrl: string;
  merchants: BenchMerchant[];
  /** RaksmeyPay credentials every merchant shares (one simulator signs for all). */
  raksmeypay: { profileId: string; profileKey: string; webhookApiKey: string };
  close(): Promise<void>;
}

/** How long the platform's merchant watcher may take to serve a merchant stored while it runs. */
const SERVED_WITHIN_MS = 30_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startBenchPlatform(count: number, opts: { botMessagesPerSecond: number }): Promise<BenchPlatform> {
  const file = tempSqlite("platform");
  const panel = await startPanelProcess({ apiKey: SANDBOX_PANEL_API_KEY, slowMs: 0 });
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const port = await freePort();
  const { env: masterKey, key: master } = newMasterKey();
  const processEnv = {
    ...sandbox.env, DATABASE_URL: file.url, PANEL_URL: panel.url, BOT_MODE: "webhook", PUBLIC_URL: `http://127.0.0.1:${port}`,
    TELEGRAM_WEBHOOK_SECRET: "bench-platform-webhook-secret", HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), LOG_LEVEL: "silent", MASTER_KEY: masterKey,
  };
  let app: Application | undefined;
  const close = async () => {
    if (app) await stopApp(app);
    await sandbox.close();
    panel.close();
    file.remove();
  };
  try {
    app = await startApplication(loadConfig(processEnv, { sandbox: true }), { log: silentLog, platform: { masterKey: master, processEnv } });
    sandbox.connect(app.url);
    const rp = sandbox.providers.get("raksmeypay") as RaksmeyPaySimulator;
    const raksmeypay = { profileId: sandbox.env.RAKSMEYPAY_PROFILE_ID!, profileKey: sandbox.env.RAKSMEYPAY_PROFILE_KEY!, webhookApiKey: sandbox.env.RAKSMEYPAY_WEBHOOK_API_KEY! };
    const store = createMerchantStore(app.database);
    const merchants: BenchMerchant[] = [];
    for (let i = 0; i < count; i++) {
      const vars = benchMerchantVars(i, { panelUrl: panel.url, panelApiKey: SANDBOX_PANEL_API_KEY, raksmeypay: { url: rp.url, ...raksmeypay } });
      const token = vars.BOT_TOKEN!;
      const bot = sandbox.telegram.bot(token, { username: `bench_shop_${i}_bot`, first_name: `Bench shop ${i}` });
      bot.limitMessagesPerSecond(opts.botMessagesPerSecond);
      const keys = newMerchantKeys();
      const stored = await store.add({ name: `bench-shop-${i}`, vars, bot: await getMe(sandbox.env.TELEGRAM_API_ROOT!, token), ...keys }, master);
      merchants.push({ id: stored.id, webhookPath: `/webhooks/raksmeypay/${keys.routeKey}`, bot });
    }
    const started = Date.now();
    const served = () => new Set(app!.merchants.all().map((m) => m.id));
    while (!merchants.every((m) => served().has(m.id))) {
      if (Date.now() - started > SERVED_WITHIN_MS) throw new Error(`the platform served ${served().size - 1} of ${count} stored merchants after ${SERVED_WITHIN_MS / 1000} s`);
      await sleep(200);
    }
    return { app, sandbox, databaseUrl: file.url, merchants, raksmeypay, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Pending RaksmeyPay top-ups inserted straight into the SQLite file, reference i for merchant i mod merchants.length,
 * each with a customer of its own whose private chat with that merchant's bot exists on the fake Telegram.
 */
export function seedMerchantTopUps(platform: BenchPlatform, refs: readonly string[], firstChat: number): void {
  const at = new Date().toISOString().replace("Z", "+00:00");
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString().replace("Z", "+00:00");
  const sqlite = new BetterSqlite3(sqlitePath(platform.databaseUrl), { timeout: 10_000 });
  try {
    const insertUser = sqlite.prepare(
      `INSERT INTO "users" ("merchantId", "telegramId", "firstName", "language", "panelLogin", "createdAt", "updatedAt") VALUES (?, ?, 'Bench', 'en', 'dara', ?, ?) RETURNING "id"`,
    );
    const insertTopUp = sqlite.prepare(
      `INSERT INTO "top_ups" ("merchantId", "reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status",
        "providerRef", "expiresAt", "pollCount", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, 'raksmeypay', 'USD', 500, 'dara', '${TopUpStatus.PENDING}', ?, ?, 0, ?, ?)`,
    );
    sqlite.transaction(() => {
      refs.forEach((reference, i) => {
        const merchant = platform.merchants[i % platform.merchants.length]!;
        const chatId = firstChat + i;
        const userId = (insertUser.get(merchant.id, chatId, at, at) as { id: number }).id;
        insertTopUp.run(merchant.id, reference, userId, chatId, reference, expiresAt, at, at);
      });
    })();
  } finally {
    sqlite.close();
  }
  refs.forEach((_, i) => platform.merchants[i % platform.merchants.length]!.bot.state.privateChat({ id: firstChat + i, is_bot: false, first_name: "Bench" }));
}
