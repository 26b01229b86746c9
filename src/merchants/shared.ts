import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import type { OpenOptions } from "../db/database.js";
import { createLocalWakeup, createPgWakeup, type Wakeup } from "../db/wakeup.js";
import { openLedgerDatabase, type LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

/** What every merchant served by one process shares: one database, one wake-up, one Redis, the log and metrics. */
export interface Shared {
  /** Every merchant's rows: the global workers and the hot path use it; each merchant gets its scoped view. */
  database: LedgerDatabase;
  /** On PostgreSQL it reaches every running instance's workers. */
  wakeup: Wakeup;
  /** REDIS_URL: one connection (opened on first use) for every bot's sessions, conversations and rate limits. */
  redis(): Redis | undefined;
  log: Logger;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Opens the database (applying migrations, unless `existing`), the wake-up and Redis. */
export async function openShared(runtime: Config["runtime"], opts: { log: Logger; metrics: Metrics; existing?: OpenOptions["existing"] }): Promise<Shared> {
  const { log } = opts;
  const database = await openLedgerDatabase(runtime.databaseUrl, {
    existing: opts.existing,
    onPoolError: (err) => log.warn({ err }, "a PostgreSQL connection failed; the pool replaces it"),
    onCheckpointError: (err) => log.warn({ err }, "a SQLite checkpoint failed; the next one tries again"),
  });
  const wakeup = database.pgPool ? await createPgWakeup(database.pgPool, log) : createLocalWakeup();
  let redis: Redis | undefined;
  return {
    database,
    wakeup,
    redis() {
      if (!runtime.redisUrl || redis) return redis;
      redis = new Redis(runtime.redisUrl, { maxRetriesPerRequest: 3 });
      // ioredis reconnects by itself; without a listener each failed attempt is printed as an unhandled error.
      redis.on("error", (err: Error) => log.warn({ msg: err.message }, "redis connection error"));
      return redis;
    },
    log,
    metrics: opts.metrics,
    async close() {
      await redis?.quit().catch(() => undefined);
      await wakeup.close();
      // A wake-up's NOTIFY is sent without being awaited. The pool serves queries in order, so one more
      // query through it lets that NOTIFY out before the pool ends, and a running instance hears it.
      await database.pgPool?.query("SELECT 1").catch(() => undefined);
      await database.close();
    },
  };
}
