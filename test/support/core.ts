import pino from "pino";
import type { Config } from "../../src/config/config.js";
import type { LedgerDatabase } from "../../src/ledger/hot-path.js";
import { createLocalWakeup, createPgWakeup, type Wakeup } from "../../src/db/wakeup.js";
import type { Logger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createCrediter, type CrediterOptions } from "../../src/jobs/crediter.js";
import type { PanelClient } from "../../src/panel/panel-client.js";
import type { LedgerDeps } from "../../src/ledger/record-payment.js";
import { createPoller } from "../../src/jobs/poller.js";
import { createTopUpService, type Providers } from "../../src/payments/topups.js";
import { createHttpApp } from "../../src/server/app.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";
import { createCustomers } from "../../src/customers/customers.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";
import { oneMerchant } from "../../src/jobs/merchants.js";

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

export const TEST_TOPUP: Config["topup"] = {
  currency: "USD", minMinor: 100, maxMinor: 100_000_00, presetsMinor: [500, 1000], ttlSeconds: 600, khrPerUsd: 4100, merchantName: "Test Shop", merchantCity: "Phnom Penh",
  bonus: { currency: "USD", tiers: [] },
};

export const FAST_CREDITER: Omit<CrediterOptions, "instanceId"> = { retryForMs: 60_000, leaseMs: 5_000, reconcileDelayMs: 200, concurrency: 8, sweepMs: 200 };

/**
 * The payment core without the bot: ledger, top-up service, HTTP webhooks, poller and crediter,
 * wired the way src/main.ts wires them, for tests of the money path.
 */
export async function startCore(opts: {
  database: LedgerDatabase;
  providers: Providers;
  panel: PanelClient;
  topup?: Partial<Config["topup"]>;
  panelCurrency?: "USD" | "KHR";
  crediter?: Partial<CrediterOptions>;
  instanceId?: string;
  poller?: boolean;
  log?: Logger;
}) {
  const log = opts.log ?? silentLog;
  const metrics = createMetrics();
  const wakeup: Wakeup = opts.database.pgPool ? await createPgWakeup(opts.database.pgPool, log) : createLocalWakeup();
  const adminChats = [-100n];
  const topup = { ...TEST_TOPUP, ...opts.topup };
  const merchantId = DEFAULT_MERCHANT_ID;
  const outages = createOutageTracker({ db: opts.database.db, merchantId, adminChats, log });
  const ledger: LedgerDeps = { merchantId, database: opts.database, wakeup, log, metrics, panelCurrency: opts.panelCurrency ?? "USD", khrPerUsd: topup.khrPerUsd, adminChats };
  const topUps = createTopUpService({ database: forMerchant(opts.database, merchantId), providers: opts.providers, ledger, topup, metrics, log });
  const crediter = createCrediter(
    { database: opts.database, merchants: oneMerchant(DEFAULT_MERCHANT_ID, { panel: opts.panel, outages, adminChats, bonus: { tiers: topup.bonus, khrPerUsd: topup.khrPerUsd } }), wakeup, log, metrics },
    { ...FAST_CREDITER, ...opts.crediter, instanceId: opts.instanceId ?? "test" },
  );
  const poller = createPoller({ database: opts.database, merchants: oneMerchant(DEFAULT_MERCHANT_ID, { providers: opts.providers, ledger, topUps, outages }), metrics, log }, { graceMs: 60_000, claimMs: 10_000, sweepMs: 100, batch: 200 });
  const app = createHttpApp({ shop: { database: opts.database, providers: opts.providers, ledger, topUps, metrics, log }, metrics, log, ready: async () => ({ ok: true, checks: {} }) });
  const server: RunningServer = await serveApp(app);
  crediter.start();
  if (opts.poller !== false) poller.start();
  return {
    url: server.url, ledger, topUps, crediter, poller, metrics, wakeup,
    async stop() {
      await poller.stop();
      await crediter.stop();
      await server.close();
      await wakeup.close();
    },
  };
}

export type Core = Awaited<ReturnType<typeof startCore>>;

/** Creates a linked user once per login. */
export async function userFor(database: LedgerDatabase, login: string, telegramId = BigInt(Math.floor(Math.random() * 1e12))): Promise<number> {
  const id = await createCustomers(forMerchant(database, DEFAULT_MERCHANT_ID)).save(Number(telegramId), { username: null, firstName: "Test", language: "en" });
  await database.db.user.update({ where: { id }, data: { panelLogin: login } });
  return id;
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | false | null | undefined>, what: string, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
