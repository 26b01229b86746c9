import type { Api } from "grammy";
import { createDelivery } from "../bot/delivery.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../db/merchant-scope.js";
import type { Config } from "../config/config.js";
import type { Wakeup } from "../db/wakeup.js";
import { createCrediter } from "../jobs/crediter.js";
import { createNotifier } from "../jobs/notifier.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { OutageTracker } from "../notify/outages.js";
import type { PanelClient } from "../panel/panel-client.js";

/** The timings of the crediter and the notifier (src/main.ts's Timings carries them, with the others). */
export interface CreditingTimings {
  crediterSweepMs: number;
  creditLeaseMs: number;
  reconcileDelayMs: number;
  notifierSweepMs: number;
}

export interface CreditingDeps {
  config: Config;
  timings: CreditingTimings;
  instanceId: string;
  database: LedgerDatabase;
  wakeup: Wakeup;
  panel: PanelClient;
  outages: OutageTracker;
  api: Api;
  log: Logger;
  metrics: Metrics;
}

/**
 * The crediter and the notifier as the application runs them, built the same way on the main thread
 * (PostgreSQL) and in the crediting thread (SQLite, src/crediting/worker.ts).
 */
export function createCreditingJobs(deps: CreditingDeps) {
  const { config, timings, database, wakeup, panel, log } = deps;
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  const crediter = createCrediter(
    { database, panel, wakeup, outages: deps.outages, log, metrics: deps.metrics, adminChats, bonus: { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd } },
    { retryForMs: config.crediter.retryForSeconds * 1000, leaseMs: timings.creditLeaseMs, reconcileDelayMs: timings.reconcileDelayMs, concurrency: config.crediter.concurrency === "adaptive" ? { adaptiveMax: config.crediter.panelMaxConnections } : config.crediter.concurrency, sweepMs: timings.crediterSweepMs, instanceId: deps.instanceId },
  );
  const notifier = createNotifier({ database, wakeup, deliver: createDelivery(deps.api, { database: forMerchant(database, DEFAULT_MERCHANT_ID), panel, config, log }), log }, { sweepMs: timings.notifierSweepMs, leaseMs: 60_000, batch: 50 });
  return { crediter, notifier };
}
