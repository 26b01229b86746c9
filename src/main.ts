import { run, type RunnerHandle } from "@grammyjs/runner";
import "dotenv/config";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { registerCommands } from "./bot/commands.js";
import { ConfigError, hasShop, isUnconfigured, loadConfig, loadProcessConfig, SECRET_VARIABLES, type Config, type ProcessConfig } from "./config/config.js";
import { environmentHasShop, PLATFORM_SECRET_VARIABLES } from "./config/variable-scopes.js";
import { DatabaseOpenError } from "./db/open-errors.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createReceiptWatch } from "./jobs/receipt-watch.js";
import { createReportRollup } from "./jobs/report-rollup.js";
import { createRetention } from "./jobs/retention.js";
import { createCreditingJobs, mostPanelCalls } from "./crediting/jobs.js";
import { startCreditingThread, type CreditingThread } from "./crediting/thread.js";
import type { LedgerDatabase } from "./ledger/hot-path.js";
import { createPoller } from "./jobs/poller.js";
import { DEFAULT_MERCHANT_ID } from "./db/merchant-scope.js";
import { BOT_IDLE_MS, createMerchantContext, type MerchantContextSpec } from "./merchants/context.js";
import { servePlatform, type Platform, type PlatformOptions } from "./merchants/platform.js";
import { createMerchantRegistry, type MerchantRegistry } from "./merchants/registry.js";
import { openShared } from "./merchants/shared.js";
import { serveOperatorBot, type OperatorBotService } from "./operator/operator-service.js";
import { OPERATOR_WEBHOOK_PATH, readOperatorBot, type OperatorBotSettings } from "./platform/operator-settings.js";
import { merchantPendingWork, pendingWorkText } from "./platform/pending-work.js";
import { readPlatformSettings } from "./platform/platform-settings.js";
import { mountMerchantTelegram } from "./merchants/telegram-routes.js";
import { createHttpApp } from "./server/app.js";
import { serveWithLimits } from "./server/http-limits.js";
import { SELF_CHECK_PREFIX, selfCheckAnswer } from "./startup/checks/public-url.js";
import { closeServer } from "./startup/close-server.js";
import { formatCheck, runSelfCheck } from "./startup/self-check.js";
import { connectTelegram, TelegramRefusedError } from "./startup/telegram.js";

export interface ApplicationOptions {
  log?: Logger;
  metrics?: Metrics;
  /** Extra routes (the sandbox page) mounted on the same HTTP server. */
  mount?: Parameters<typeof createHttpApp>[0]["mount"];
  /** Tuning for tests and benchmarks. */
  timings?: Partial<Timings>;
  /** The start-up self-check's lines for /readyz, once it has run (live mode). */
  selfCheck?: () => string[] | undefined;
  /** MASTER_KEY set: a platform, serving its stored merchants besides the environment's (if it has one). */
  platform?: PlatformOptions & { operatorBot?: OperatorBotSettings };
  /**
   * Run the crediter and the notifier on a worker thread of their own (src/crediting/thread.ts), so ingest and
   * crediting use two cores, for every merchant served (a platform's as they come and go). Default: on for a
   * SQLite file; PostgreSQL runs them here, and scales by instances.
   */
  creditingThread?: boolean;
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
  /** A platform merchant's bot is let go after this long unused (src/merchants/context.ts). */
  botIdleMs: number;
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
  botIdleMs: BOT_IDLE_MS,
};

/** `C`: the environment's shop's Config, or a platform without one's ProcessConfig. */
export interface Application<C extends ProcessConfig = Config> {
  url: string;
  config: C;
  database: LedgerDatabase;
  /** The merchants served: the environment's, and a platform's stored ones as they come and go. */
  merchants: MerchantRegistry;
  log: Logger;
  metrics: Metrics;
  /** Resolves once Telegram accepted the tokens and the bots (the shop's, the operators') take updates; rejects with TelegramRefusedError. */
  telegram: Promise<void>;
  /** Resolves once the crediter and notifier run (at once on this thread; the crediting thread's once it started them). */
  creditingStarted: Promise<void>;
  /** Rejects when the crediting thread cannot start or fails while running (never settles when crediting runs on this thread). */
  creditingFailed: Promise<never>;
  /** Stops taking updates and webhooks, lets in-flight credits finish, closes the database. */
  stop(): Promise<void>;
}

/** How long requests in flight get at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

/** Starts everything and waits until the bot is connected to Telegram and crediting runs (tests, benchmarks). */
export async function startApplication<C extends ProcessConfig>(config: C, opts: ApplicationOptions = {}): Promise<Application<C>> {
  const app = await launchApplication(config, opts);
  try {
    await Promise.all([app.telegram, app.creditingStarted]);
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
 * `config` without the environment's shop (a ProcessConfig) is a platform serving its stored merchants only.
 * Throws DatabaseOpenError when the database cannot be opened, ListenError when the port is taken, ConfigError
 * when a platform without the environment's shop finds that shop's money still moving.
 */
export async function launchApplication<C extends ProcessConfig>(config: C, opts: ApplicationOptions = {}): Promise<Application<C>> {
  const shopConfig = hasShop(config) ? config : undefined;
  if (!shopConfig && !opts.platform) throw new Error("without the environment's shop the process serves a platform: opts.platform is required");
  const timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const log = opts.log ?? createLogger({ level: config.runtime.logLevel, secrets: [...SECRET_VARIABLES, ...PLATFORM_SECRET_VARIABLES].map((name) => process.env[name]) });
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: true });
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;

  const shared = await openShared(config.runtime, { log, metrics });
  const { database, wakeup } = shared;
  const registry = createMerchantRegistry();
  const build = (spec: MerchantContextSpec) => createMerchantContext(shared, spec, { panelTimeouts: { readMs: timings.panelReadTimeoutMs, writeMs: timings.panelWriteTimeoutMs }, botIdleMs: timings.botIdleMs });
  // The environment's shop: a single shop, or a platform's merchant `default`, at /telegram and /webhooks/<provider>.
  const shop = shopConfig && build({ id: DEFAULT_MERCHANT_ID, config: shopConfig });
  if (shop) registry.put(shop);
  let platform: Platform | undefined;
  try {
    if (!shop) await refuseEnvironmentWork(database);
    if (opts.platform) platform = await servePlatform(shared, registry, build, opts.platform);
  } catch (err) {
    await closeMerchants(registry);
    await shared.close();
    throw err;
  }

  const poller = createPoller({ database, merchants: registry.resolver((m) => m), metrics, log }, { graceMs: timings.pollGraceMs, claimMs: 30_000, sweepMs: timings.pollerSweepMs, batch: 200 });
  const creditingTimings = { crediterSweepMs: timings.crediterSweepMs, creditLeaseMs: timings.creditLeaseMs, reconcileDelayMs: timings.reconcileDelayMs, notifierSweepMs: timings.notifierSweepMs };
  const threaded = opts.creditingThread ?? (database.dialect === "sqlite" && database.sqliteFile !== ":memory:");
  // A platform keeps a share of the panel calls for every other shop while one shop's panel hangs.
  const perMerchant = opts.platform ? Math.ceil(mostPanelCalls(config) / PLATFORM_SHARE) : undefined;
  // On its own thread the crediter and notifier are built there, over the merchants of `registry` as it changes;
  // here, over the registry itself.
  const inline = threaded
    ? undefined
    : createCreditingJobs({
      config, timings: creditingTimings, instanceId, database, wakeup, log, metrics, perMerchant,
      credits: registry.resolver((m) => m),
      deliveries: registry.resolver((m) => m.deliver),
    });
  let thread: CreditingThread | undefined;
  // Each served shop's admins hear of its own receipts (a platform without a shop of its own included).
  const receiptWatch = createReceiptWatch({ database, metrics, outages: registry.resolver((m) => m.outages), log });
  const retention = createRetention({ database, retentionDays: config.retentionDays, log });
  const reportRollup = createReportRollup({ database, log });

  let accepting = true;
  let runner: RunnerHandle | undefined;
  const bot = shop?.bot();
  const telegram = shopConfig && bot && connectTelegram(bot, {
    log,
    async setUp() {
      await registerCommands(bot.api, shopConfig, log);
      if (shopConfig.bot.mode === "webhook") {
        await bot.api.setWebhook(`${shopConfig.bot.publicUrl}/telegram`, { secret_token: shopConfig.bot.webhookSecret, drop_pending_updates: false });
      } else {
        await bot.api.deleteWebhook();
        if (accepting) runner = run(bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });
      }
    },
  });
  const operatorBot: OperatorBotService | undefined = opts.platform?.operatorBot && serveOperatorBot(opts.platform.operatorBot, {
    database, log, wakeup, processEnv: opts.platform.processEnv, ...(config.runtime.redisUrl ? { redisUrl: config.runtime.redisUrl } : {}),
  });
  const telegramConnected = Promise.all([telegram?.connected, operatorBot?.connected]).then(() => undefined);
  // Whoever launched decides what a refusal means (runProgram, startApplication); it must not crash the process first.
  telegramConnected.catch(() => undefined);

  const app = createHttpApp({
    metrics, log,
    ...(shop ? { shop: shop.webhooks } : {}),
    metricsToken: config.runtime.metricsToken,
    ...(platform ? { merchantWebhooks: (routeKey: string) => registry.byRouteKey(routeKey)?.webhooks } : {}),
    ready: async () => {
      const db = await database.db.$queryRawUnsafe("SELECT 1").then(() => true, () => false);
      const notConnected = telegram?.notReadyReason();
      const checks = {
        database: db, telegram: notConnected === undefined, crediter: inline ? inline.crediter.running : thread?.running === true,
        poller: poller.running, notifier: inline ? inline.notifier.running : thread?.running === true, accepting,
      };
      const selfCheck = opts.selfCheck?.();
      return { ok: Object.values(checks).every(Boolean), checks, receipts: receiptWatch.status(), ...(notConnected ? { reason: notConnected } : {}), ...(selfCheck ? { selfCheck } : {}) };
    },
    mount: (hono) => {
      if (shop && shopConfig?.bot.mode === "webhook") hono.post("/telegram", shop.telegram);
      if (platform) mountMerchantTelegram(hono, registry);
      if (operatorBot) hono.post(OPERATOR_WEBHOOK_PATH, operatorBot.webhook);
      if (shopConfig) {
        hono.get(`${SELF_CHECK_PREFIX}:nonce`, (c) => {
          const answer = selfCheckAnswer(shopConfig.bot.token, c.req.param("nonce"));
          return answer ? c.text(answer) : c.json({ ok: false, error: "not found" }, 404);
        });
      }
      opts.mount?.(hono);
    },
  });
  const server = serveWithLimits({ fetch: app.fetch, port: config.runtime.httpPort, hostname: config.runtime.httpHost });
  try {
    await listening(server, config.runtime.httpHost, config.runtime.httpPort);
  } catch (err) {
    telegram?.stop();
    operatorBot?.stop();
    await platform?.stop();
    await closeMerchants(registry);
    await shared.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.runtime.httpHost === "0.0.0.0" ? "127.0.0.1" : config.runtime.httpHost}:${port}`;

  if (inline) {
    inline.crediter.start();
    inline.notifier.start();
  } else {
    // Not waited for here (loading its modules takes a while): /readyz says when it runs; a thread that
    // cannot start rejects creditingFailed, and runProgram stops.
    thread = startCreditingThread(
      { config, perMerchant, timings: creditingTimings, instanceId, logLevel: log.level, panelTimeouts: { readMs: timings.panelReadTimeoutMs, writeMs: timings.panelWriteTimeoutMs } },
      { log, metrics, wakeup, merchants: registry },
    );
  }
  poller.start();
  shop?.dailyReport?.start();
  receiptWatch.start();
  retention.start();
  reportRollup.start();
  const shopFacts = shop && shopConfig ? { mode: shopConfig.bot.mode, providers: [...shop.providers.keys()], panel: shopConfig.panel.type } : { shop: "none: a platform of stored merchants" };
  log.info({ url, ...shopFacts, database: database.dialect, instanceId, merchants: registry.all().length }, "KHQR top-up bot listening; connecting to Telegram");
  if (telegram && bot && shopConfig) {
    void telegram.connected.then(
      () => log.info({ bot: bot.botInfo.username, mode: shopConfig.bot.mode }, "KHQR top-up bot started"),
      () => undefined,
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    url, config, database, log, metrics,
    merchants: registry,
    telegram: telegramConnected,
    creditingStarted: thread?.started ?? Promise.resolve(),
    creditingFailed: thread?.failed ?? new Promise<never>(() => undefined),
    stop: () =>
      (stopping ??= (async () => {
        accepting = false;
        telegram?.stop();
        operatorBot?.stop();
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
        await platform?.stop();
        await Promise.all([poller.stop(), inline?.crediter.stop(), inline?.notifier.stop(), thread?.stop(), receiptWatch.stop(), retention.stop(), reportRollup.stop()]);
        await closeMerchants(registry);
        await shared.close();
        log.info("stopped");
      })()),
  };
}

/** On a platform, one merchant's credits take at most 1/PLATFORM_SHARE of the most panel calls at once (mostPanelCalls). */
const PLATFORM_SHARE = 4;

/**
 * A platform started without the environment's shop: that merchant's money still moving (a top-up awaiting
 * payment, a credit not done or held, a refund in flight) would never finish, so the start is refused.
 */
async function refuseEnvironmentWork(database: LedgerDatabase): Promise<void> {
  const work = await merchantPendingWork(database, DEFAULT_MERCHANT_ID);
  if (work.total === 0) return;
  throw new ConfigError([
    `BOT_TOKEN: not set, but the environment's shop (merchant "default") still has ${pendingWorkText(work)}: start with its variables (BOT_TOKEN, its admins, providers and panel) until nothing of it is pending, then without them`,
  ]);
}

/** Stops every merchant's daily report and closes its storage. */
async function closeMerchants(registry: MerchantRegistry): Promise<void> {
  await Promise.all(registry.all().map((m) => m.close()));
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

/** What one start of the program runs: the configuration, and what a start mode (live, sandbox) adds to it. */
export interface StartPlan {
  /** Without the environment's shop (a ProcessConfig): a platform of stored merchants only. */
  config: ProcessConfig;
  mount?: ApplicationOptions["mount"];
  /** Live mode: every credential and PUBLIC_URL is checked once, in the background, and shown on /readyz. */
  selfCheck?: boolean;
  /** MASTER_KEY set: a platform. */
  platform?: ApplicationOptions["platform"];
  /** Runs once the application listens. */
  started?(app: Application<ProcessConfig>): void;
  /** Runs after the application stopped, or failed to start. */
  close?(): Promise<void>;
}

/**
 * Runs the program until a signal stops it: exit 2 on bad configuration (ConfigError from `prepare`) or a
 * token Telegram refuses, exit 1 when the database or the port cannot be opened, exit 0 after a graceful stop.
 */
export async function runProgram(prepare: () => Promise<StartPlan>): Promise<void> {
  // A stop asked for while starting (a supervisor's SIGTERM during migrations) is carried out once started.
  let requested: string | undefined;
  let onSignal = (signal: string) => {
    requested ??= signal;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  let plan: StartPlan;
  try {
    plan = await prepare();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const { config } = plan;

  let app: Application<ProcessConfig>;
  let selfCheck: string[] | undefined;
  try {
    app = await launchApplication(config, { mount: plan.mount, selfCheck: () => selfCheck, ...(plan.platform ? { platform: plan.platform } : {}) });
  } catch (err) {
    await plan.close?.();
    // A MASTER_KEY that opens no stored merchant's key.
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    // Expected failures get one line, no stack: the operator fixes the database or the port, not the code.
    if (err instanceof DatabaseOpenError || err instanceof ListenError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (plan.selfCheck && hasShop(config)) {
    void runSelfCheck(config, { log: app.log, publicUrl: "running" }).then((results) => {
      selfCheck = results.map(formatCheck);
      for (const r of results) app.log[r.level === "pass" || r.level === "note" ? "info" : "warn"]({ check: r.name, level: r.level, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) }, "self-check");
    }, (err: unknown) => app.log.warn({ err }, "self-check could not run"));
  }
  plan.started?.(app);

  let stopping = false;
  const exitAfterStop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    void app
      .stop()
      .then(() => plan.close?.())
      .then(() => process.exit(code), () => process.exit(1));
  };
  app.creditingFailed.catch(() => exitAfterStop(1));
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

/** Printed when a live start finds no configuration at all (a server, a container): the sandbox is not part of this build. */
export const NO_CONFIGURATION =
  "No configuration: a live start needs BOT_TOKEN, ADMIN_IDS or ADMIN_CHAT_ID, PANEL_URL, PANEL_API_KEY and one payment provider's variables (see .env.example); for the sandbox run `npm start` from a clone.";

/** The live program (`node dist/main.js`, the Docker image's command). */
export async function main(): Promise<void> {
  const env = process.env;
  const isPlatform = Boolean(env.MASTER_KEY?.trim());
  // A platform may run without a shop of its own; anything else needs one.
  if (!(isPlatform && !environmentHasShop(env)) && isUnconfigured(env)) {
    console.error(NO_CONFIGURATION);
    process.exit(2);
  }
  await runProgram(async () => {
    if (!isPlatform) {
      if (env.PLATFORM_BOT_TOKEN?.trim() || env.PLATFORM_ADMIN_IDS?.trim()) throw new ConfigError(["PLATFORM_BOT_TOKEN: the operators' bot belongs to a platform: set MASTER_KEY (README, \"Running a platform\") or remove PLATFORM_BOT_TOKEN and PLATFORM_ADMIN_IDS"]);
      return { config: loadConfig(env), selfCheck: true };
    }
    // The environment's shop, when it has one, is validated exactly as a single shop's (a half-configured one is refused).
    const config: ProcessConfig = environmentHasShop(env) ? loadConfig(env) : loadProcessConfig(env);
    const mode = hasShop(config) ? config.bot.mode : (env.BOT_MODE?.trim() || "webhook");
    if (mode !== "webhook") throw new ConfigError(["BOT_MODE: a platform (MASTER_KEY set) takes its merchants' updates by webhook: set BOT_MODE=webhook and PUBLIC_URL"]);
    const { publicUrl, masterKey } = readPlatformSettings(env);
    const operatorBot = readOperatorBot(env, { publicUrl, masterKey });
    return { config, selfCheck: true, platform: { masterKey, processEnv: env, ...(operatorBot ? { operatorBot } : {}) } };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
