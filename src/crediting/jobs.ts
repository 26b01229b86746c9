import type { ProcessConfig } from "../config/config.js";
import type { Wakeup } from "../db/wakeup.js";
import { createCrediter, type CreditMerchant } from "../jobs/crediter.js";
import type { MerchantResolver } from "../jobs/merchants.js";
import { createNotifier, type Deliver } from "../jobs/notifier.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

/** The timings of the crediter and the notifier (src/main.ts's Timings carries them, with the others). */
export interface CreditingTimings {
  crediterSweepMs: number;
  creditLeaseMs: number;
  reconcileDelayMs: number;
  notifierSweepMs: number;
}

export interface CreditingDeps {
  /** Its crediter's sizing and retries: process-wide, whatever shops are served. */
  config: ProcessConfig;
  timings: CreditingTimings;
  instanceId: string;
  database: LedgerDatabase;
  wakeup: Wakeup;
  /** Each claimed credit's merchant: its panel, outages, admin chats and bonus. */
  credits: MerchantResolver<CreditMerchant>;
  /** Each claimed notification's merchant: how its bot sends. */
  deliveries: MerchantResolver<Deliver>;
  /** Of the panel calls in flight, at most this many for one merchant (a platform); all of them by default. */
  perMerchant?: number;
  log: Logger;
  metrics: Metrics;
}

/**
 * The crediter and the notifier as the application runs them, built the same way on the main thread
 * (PostgreSQL, or a platform's several merchants) and in the crediting thread (a single shop on SQLite,
 * src/crediting/worker.ts).
 */
export function createCreditingJobs(deps: CreditingDeps) {
  const { config, timings, database, wakeup, log } = deps;
  const crediter = createCrediter(
    { database, merchants: deps.credits, wakeup, log, metrics: deps.metrics },
    {
      retryForMs: config.crediter.retryForSeconds * 1000, leaseMs: timings.creditLeaseMs, reconcileDelayMs: timings.reconcileDelayMs,
      concurrency: config.crediter.concurrency === "adaptive" ? { adaptiveMax: config.crediter.panelMaxConnections } : config.crediter.concurrency, perMerchant: deps.perMerchant,
      sweepMs: timings.crediterSweepMs, instanceId: deps.instanceId,
    },
  );
  const notifier = createNotifier({ database, wakeup, merchants: deps.deliveries, log }, { sweepMs: timings.notifierSweepMs, leaseMs: 60_000, batch: 50 });
  return { crediter, notifier };
}

/** The most panel calls the crediter makes at once: CREDIT_CONCURRENCY when set, else PANEL_MAX_CONNECTIONS (adaptive). */
export function mostPanelCalls(config: ProcessConfig): number {
  return config.crediter.concurrency === "adaptive" ? config.crediter.panelMaxConnections : config.crediter.concurrency;
}
