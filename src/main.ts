import { run, type RunnerHandle } from "@grammyjs/runner";
import "dotenv/config";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createAdminService } from "./admin/create-admin-service.js";
import { createBot } from "./bot/bot.js";
import { registerCommands } from "./bot/commands.js";
import { createBotStorage } from "./bot/storage.js";
import { createDelivery } from "./bot/delivery.js";
import { ConfigError, isUnconfigured, loadConfig, SECRET_VARIABLES, type Config } from "./config/config.js";
import { openDatabase, type Database } from "./db/database.js";
import { createLocalWakeup, createPgWakeup } from "./db/wakeup.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createNotifier } from "./jobs/notifier.js";
import { createOutageTracker } from "./notify/outages.js";
import { createCrediter } from "./jobs/crediter.js";
import { createPanelClient } from "./panel/create-panel-client.js";
import { renderKhqrCard } from "./payments/card/index.js";
import type { LedgerDeps } from "./payments/ledger.js";
import { createPoller } from "./jobs/poller.js";
import { createProviders } from "./payments/providers/create-providers.js";
import { createTopUpService } from "./payments/topups.js";
import { createHttpApp } from "./server/app.js";
import { serveWithLimits } from "./server/http-limits.js";
import { telegramWebhook } from "./server/telegram-webhook.js";

export interface ApplicationOptions {
  log?: Logger;
  metrics?: Metrics;
  /** Extra routes (the sandbox page) mounted on the same HTTP server. */
  mount?: Parameters<typeof createHttpApp>[0]["mount"];
  /** Tuning for tests and benchmarks. */
  timings?: Partial<Timings>;
}

export interface Timings {
  crediterSweepMs: number;
  creditLeaseMs: number;
  reconcileDelayMs: number;
  pollerSweepMs: number;
  pollGraceMs: number;
  notifierSweepMs: number;
  panelReadTimeoutMs: number;
  panelWriteTimeoutMs: number;
}

const DEFAULT_TIMINGS: Timings = {
  crediterSweepMs: 5_000,
  creditLeaseMs: 90_000,
  reconcileDelayMs: 15_000,
  pollerSweepMs: 1_000,
  pollGraceMs: 30 * 60_000,
  notifierSweepMs: 5_000,
  panelReadTimeoutMs: 10_000,
  panelWriteTimeoutMs: 20_000,
};

export interface Application {
  url: string;
  config: Config;
  database: Database;
  log: Logger;
  metrics: Metrics;
  /** Stops taking updates and webhooks, lets in-flight credits finish, closes the database. */
  stop(): Promise<void>;
}

/** The composition root: builds every service from the configuration and starts them. */
export async function startApplication(config: Config, opts: ApplicationOptions = {}): Promise<Application> {
  const timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const log = opts.log ?? createLogger({ level: config.runtime.logLevel, secrets: SECRET_VARIABLES.map((name) => process.env[name]) });
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: true });
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;

  const database = await openDatabase(config.runtime.databaseUrl, { onPoolError: (err) => log.warn({ err }, "a PostgreSQL connection failed; the pool replaces it") });
  const wakeup = database.pgPool ? await createPgWakeup(database.pgPool, log) : createLocalWakeup();
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  const providers = createProviders(config, { log, publicUrl: config.bot.publicUrl });
  const panel = createPanelClient(config.panel, {
    log,
    timeouts: { readMs: timings.panelReadTimeoutMs, writeMs: timings.panelWriteTimeoutMs },
    maxConnections: config.crediter.panelMaxConnections,
  });
  const outages = createOutageTracker({ db: database.db, adminChats, log, onChange: () => wakeup.notify("notifications") });
  const ledger: LedgerDeps = { database, wakeup, log, metrics, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, adminChats };
  const topUps = createTopUpService({ database, providers, ledger, topup: config.topup, metrics, log });
  const admin = createAdminService({ database, providers, panel, wakeup, topUpCurrency: config.topup.currency, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, log });

  const storage = createBotStorage({ config, database, log });
  const bot = createBot(config.bot.token, { config, database, topUps, panel, admin, renderCard: renderKhqrCard, log, metrics, storage });
  await bot.init();

  const crediter = createCrediter(
    { database, panel, wakeup, outages, log, metrics, adminChats },
    { retryForMs: config.crediter.retryForSeconds * 1000, leaseMs: timings.creditLeaseMs, reconcileDelayMs: timings.reconcileDelayMs, concurrency: config.crediter.concurrency, sweepMs: timings.crediterSweepMs, instanceId },
  );
  const poller = createPoller({ database, providers, ledger, topUps, outages, metrics, log }, { graceMs: timings.pollGraceMs, claimMs: 30_000, sweepMs: timings.pollerSweepMs, batch: 200 });
  const notifier = createNotifier({ database, wakeup, deliver: createDelivery(bot.api, { database, panel, config, log }), log }, { sweepMs: timings.notifierSweepMs, leaseMs: 60_000, batch: 50 });

  let accepting = true;
  const app = createHttpApp({
    database, providers, ledger, topUps, metrics, log,
    ready: async () => {
      const db = await database.db.$queryRawUnsafe("SELECT 1").then(() => true, () => false);
      const checks = { database: db, crediter: crediter.running, poller: poller.running, notifier: notifier.running, accepting };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
    mount: (hono) => {
      if (config.bot.mode === "webhook") {
        hono.post("/telegram", telegramWebhook(bot, { secretToken: config.bot.webhookSecret!, log }));
      }
      opts.mount?.(hono);
    },
  });
  const server = serveWithLimits({ fetch: app.fetch, port: config.runtime.httpPort, hostname: config.runtime.httpHost });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.runtime.httpHost === "0.0.0.0" ? "127.0.0.1" : config.runtime.httpHost}:${port}`;

  await registerCommands(bot.api, config, log);
  let runner: RunnerHandle | undefined;
  if (config.bot.mode === "webhook") {
    await bot.api.setWebhook(`${config.bot.publicUrl}/telegram`, { secret_token: config.bot.webhookSecret, drop_pending_updates: false });
  } else {
    await bot.api.deleteWebhook();
    runner = run(bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });
  }
  crediter.start();
  poller.start();
  notifier.start();
  log.info({ url, mode: config.bot.mode, providers: [...providers.keys()], panel: config.panel.type, database: database.dialect, instanceId }, "KHQR top-up bot started");

  let stopping: Promise<void> | undefined;
  return {
    url, config, database, log, metrics,
    stop: () =>
      (stopping ??= (async () => {
        accepting = false;
        if (runner?.isRunning()) {
          await runner.stop();
          // stop() returns once fetching stops; updates already taken are still being handled.
          while (runner.size() > 0) await new Promise((r) => setTimeout(r, 10));
        }
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await poller.stop();
        await crediter.stop();
        await notifier.stop();
        await storage.close();
        await wakeup.close();
        await database.close();
        log.info("stopped");
      })()),
  };
}

async function main(): Promise<void> {
  const sandboxMode = isUnconfigured(process.env);
  let config: Config;
  let sandbox: Awaited<ReturnType<typeof import("./sandbox/start-sandbox.js").startSandbox>> | undefined;
  let mount: ApplicationOptions["mount"];
  // The sandbox page asks for open top-ups once the application exists.
  const running: { app?: Application } = {};
  try {
    if (sandboxMode) {
      const { startSandbox } = await import("./sandbox/start-sandbox.js");
      const { sandboxPage } = await import("./sandbox/page/routes.js");
      sandbox = await startSandbox();
      // sandbox.env names the sandbox's own database; the sandbox flag keeps it on loopback (SANDBOX_HTTP_HOST).
      config = loadConfig({ ...process.env, ...sandbox.env }, { sandbox: true });
      const s = sandbox;
      mount = (app) =>
        sandboxPage(app, s, {
          panelCurrency: config.panel.currency,
          openTopUps: async () => (running.app ? running.app.database.db.topUp.findMany({ where: { status: "PENDING" }, orderBy: { id: "asc" } }) : []),
        });
    } else {
      config = loadConfig(process.env);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const app = await startApplication(config, { mount });
  running.app = app;
  if (sandbox) {
    sandbox.connect(app.url);
    const banner = "=".repeat(72);
    console.log(`\n${banner}\n  SANDBOX MODE: no credentials are set, so every provider, the panel and\n  Telegram are simulated on this machine. No real money moves.\n  Open ${app.url}/sandbox to chat with the bot and pay.\n  Sandbox database (deleted on exit): ${sandbox.databaseFile}\n${banner}\n`);
  }

  const shutdown = (signal: string) => {
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void app
      .stop()
      .then(() => sandbox?.close())
      .then(() => process.exit(0));
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
