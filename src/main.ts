import { run, type RunnerHandle } from "@grammyjs/runner";
import "dotenv/config";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createDailyReport } from "./admin/daily-report.js";
import { createBot } from "./bot/bot.js";
import { registerCommands } from "./bot/commands.js";
import { createBotStorage } from "./bot/storage.js";
import { createDelivery } from "./bot/delivery.js";
import { ConfigError, isUnconfigured, loadConfig, SECRET_VARIABLES, type Config } from "./config/config.js";
import type { Database } from "./db/database.js";
import { DatabaseOpenError } from "./db/open-errors.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createNotifier } from "./jobs/notifier.js";
import { createReceiptWatch } from "./jobs/receipt-watch.js";
import { createRetention } from "./jobs/retention.js";
import { createOutageTracker } from "./notify/outages.js";
import { createCrediter } from "./jobs/crediter.js";
import { renderKhqrCard } from "./payments/card/index.js";
import { createDeepLinker, deepLinkApp } from "./payments/deeplink.js";
import type { LedgerDeps } from "./payments/ledger.js";
import { createPoller } from "./jobs/poller.js";
import { createTopUpService } from "./payments/topups.js";
import { createHttpApp } from "./server/app.js";
import { serveWithLimits } from "./server/http-limits.js";
import { telegramWebhook } from "./server/telegram-webhook.js";
import { openServices } from "./services.js";
import { closeServer } from "./startup/close-server.js";
import { connectTelegram, TelegramRefusedError } from "./startup/telegram.js";

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
  /** Resolves once Telegram accepted the token and the bot takes updates; rejects with TelegramRefusedError. */
  telegram: Promise<void>;
  /** Stops taking updates and webhooks, lets in-flight credits finish, closes the database. */
  stop(): Promise<void>;
}

/** How long requests in flight get at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

/** Starts everything and waits until the bot is connected to Telegram (tests, benchmarks). */
export async function startApplication(config: Config, opts: ApplicationOptions = {}): Promise<Application> {
  const app = await launchApplication(config, opts);
  try {
    await app.telegram;
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/**
 * The composition root: builds every service from the configuration and starts them. The HTTP server
 * and the workers start before anything waits on Telegram, which is connected in the background
 * (`telegram`): provider webhooks are recorded and credits applied while Telegram is unreachable.
 * Throws DatabaseOpenError when the database cannot be opened, ListenError when the port is taken.
 */
export async function launchApplication(config: Config, opts: ApplicationOptions = {}): Promise<Application> {
  const timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const log = opts.log ?? createLogger({ level: config.runtime.logLevel, secrets: SECRET_VARIABLES.map((name) => process.env[name]) });
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: true });
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;

  const services = await openServices(config, { log, panelTimeouts: { readMs: timings.panelReadTimeoutMs, writeMs: timings.panelWriteTimeoutMs } });
  const { database, wakeup, providers, panel, admin, adminChats } = services;
  const outages = createOutageTracker({ db: database.db, adminChats, log, onChange: () => wakeup.notify("notifications") });
  const ledger: LedgerDeps = { database, wakeup, log, metrics, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, adminChats };
  const topUps = createTopUpService({ database, providers, ledger, topup: config.topup, metrics, log });

  const storage = createBotStorage({ config, database, log });
  // Links are only asked for from handlers, which run once the bot knows its own name.
  const deepLinks = createDeepLinker({ bakong: config.providers.bakong, app: () => deepLinkApp(config.bot, bot.botInfo), log, metrics, secrets: SECRET_VARIABLES.map((name) => process.env[name]) });
  const bot = createBot(config.bot.token, { config, database, topUps, panel, admin, renderCard: renderKhqrCard, log, metrics, storage, deepLinks });

  const crediter = createCrediter(
    { database, panel, wakeup, outages, log, metrics, adminChats, bonus: { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd } },
    { retryForMs: config.crediter.retryForSeconds * 1000, leaseMs: timings.creditLeaseMs, reconcileDelayMs: timings.reconcileDelayMs, concurrency: config.crediter.concurrency, sweepMs: timings.crediterSweepMs, instanceId },
  );
  const poller = createPoller({ database, providers, ledger, topUps, outages, metrics, log }, { graceMs: timings.pollGraceMs, claimMs: 30_000, sweepMs: timings.pollerSweepMs, batch: 200 });
  const notifier = createNotifier({ database, wakeup, deliver: createDelivery(bot.api, { database, panel, config, log }), log }, { sweepMs: timings.notifierSweepMs, leaseMs: 60_000, batch: 50 });
  const receiptWatch = createReceiptWatch({ database, metrics, outages, log });
  const retention = createRetention({ database, retentionDays: config.retentionDays, log });
  const dailyReport = config.dailyReportAtMinutes === undefined ? undefined : createDailyReport({ database, wakeup, adminChats, atMinutes: config.dailyReportAtMinutes, log });

  let accepting = true;
  let runner: RunnerHandle | undefined;
  const telegram = connectTelegram(bot, {
    log,
    async setUp() {
      await registerCommands(bot.api, config, log);
      if (config.bot.mode === "webhook") {
        await bot.api.setWebhook(`${config.bot.publicUrl}/telegram`, { secret_token: config.bot.webhookSecret, drop_pending_updates: false });
      } else {
        await bot.api.deleteWebhook();
        if (accepting) runner = run(bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });
      }
    },
  });

  const app = createHttpApp({
    database, providers, ledger, topUps, metrics, log,
    metricsToken: config.runtime.metricsToken,
    ready: async () => {
      const db = await database.db.$queryRawUnsafe("SELECT 1").then(() => true, () => false);
      const notConnected = telegram.notReadyReason();
      const checks = { database: db, telegram: notConnected === undefined, crediter: crediter.running, poller: poller.running, notifier: notifier.running, accepting };
      return { ok: Object.values(checks).every(Boolean), checks, receipts: receiptWatch.status(), ...(notConnected ? { reason: notConnected } : {}) };
    },
    mount: (hono) => {
      if (config.bot.mode === "webhook") {
        hono.post("/telegram", telegramWebhook(bot, { secretToken: config.bot.webhookSecret!, log }));
      }
      opts.mount?.(hono);
    },
  });
  const server = serveWithLimits({ fetch: app.fetch, port: config.runtime.httpPort, hostname: config.runtime.httpHost });
  try {
    await listening(server, config.runtime.httpHost, config.runtime.httpPort);
  } catch (err) {
    telegram.stop();
    await storage.close();
    await services.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.runtime.httpHost === "0.0.0.0" ? "127.0.0.1" : config.runtime.httpHost}:${port}`;

  crediter.start();
  poller.start();
  notifier.start();
  dailyReport?.start();
  receiptWatch.start();
  retention.start();
  log.info({ url, mode: config.bot.mode, providers: [...providers.keys()], panel: config.panel.type, database: database.dialect, instanceId }, "KHQR top-up bot listening; connecting to Telegram");
  void telegram.connected.then(
    () => log.info({ bot: bot.botInfo.username, mode: config.bot.mode }, "KHQR top-up bot started"),
    () => undefined,
  );

  let stopping: Promise<void> | undefined;
  return {
    url, config, database, log, metrics,
    telegram: telegram.connected,
    stop: () =>
      (stopping ??= (async () => {
        accepting = false;
        telegram.stop();
        await Promise.all([
          (async () => {
            if (!runner?.isRunning()) return;
            await runner.stop();
            // stop() returns once fetching stops; updates already taken are still being handled.
            while (runner.size() > 0) await new Promise((r) => setTimeout(r, 10));
          })(),
          closeServer(server, SHUTDOWN_GRACE_MS),
        ]);
        // Each waits for its pass in progress (a credit being applied finishes); they do not depend on each other.
        await Promise.all([poller.stop(), crediter.stop(), notifier.stop(), dailyReport?.stop(), receiptWatch.stop(), retention.stop()]);
        await storage.close();
        await services.close();
        log.info("stopped");
      })()),
  };
}

/** The port cannot be bound (taken, or not allowed). */
export class ListenError extends Error {}

function listening(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", (err: NodeJS.ErrnoException) => reject(new ListenError(`cannot listen on ${host}:${port} (HTTP_HOST, HTTP_PORT): ${err.code ?? err.message}`)));
  });
}

/** After SIGTERM/SIGINT the program ends within this, gracefully or not. */
const STOP_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  // A stop asked for while starting (a supervisor's SIGTERM during migrations) is carried out once started.
  let requested: string | undefined;
  let onSignal = (signal: string) => {
    requested ??= signal;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

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

  let app: Application;
  try {
    app = await launchApplication(config, { mount });
  } catch (err) {
    await sandbox?.close();
    // Expected failures get one line, no stack: the operator fixes the database or the port, not the code.
    if (err instanceof DatabaseOpenError || err instanceof ListenError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  running.app = app;
  if (sandbox) {
    sandbox.connect(app.url);
    const banner = "=".repeat(72);
    console.log(`\n${banner}\n  SANDBOX MODE: no credentials are set, so every provider, the panel and\n  Telegram are simulated on this machine. No real money moves.\n  Open ${app.url}/sandbox to chat with the bot and pay.\n  Sandbox database (deleted on exit): ${sandbox.databaseFile}\n${banner}\n`);
  }

  let stopping = false;
  const exitAfterStop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    void app
      .stop()
      .then(() => sandbox?.close())
      .then(() => process.exit(code), () => process.exit(1));
  };
  app.telegram.catch((err: unknown) => {
    if (!(err instanceof TelegramRefusedError)) return;
    console.error(err.message);
    exitAfterStop(2);
  });
  onSignal = (signal) => {
    app.log.info({ signal }, "shutting down");
    exitAfterStop(0);
  };
  if (requested) onSignal(requested);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
