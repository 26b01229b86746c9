import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig, type Config, type ProviderName } from "../../src/config/config.js";
import { sqlitePath } from "../../src/db/url.js";
import { startApplication, type Application, type ApplicationOptions } from "../../src/main.js";
import { newReference } from "../../src/ledger/reference.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { sleep } from "./result.js";

export const silentLog = pino({ level: "silent" });

/** A SQLite file in a fresh temp folder; `remove` deletes the folder. */
export function tempSqlite(label: string): { url: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `khqr-bench-${label}-`));
  return { url: `file:${join(dir, "bench.db")}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** How long teardown waits for an application to stop: the notifier may be waiting on Telegram's rate limits with a batch in hand. */
const STOP_CUTOFF_MS = 5_000;

/** Stops an application, giving up waiting after STOP_CUTOFF_MS. */
export async function stopApp(app: Application): Promise<void> {
  await Promise.race([app.stop(), sleep(STOP_CUTOFF_MS)]);
}

export interface BenchApp {
  sandbox: Sandbox;
  app: Application;
  config: Config;
  /** How long startApplication took. */
  startMs: number;
  /** The temp SQLite file the application runs on. */
  databaseUrl: string;
  /** Stops the application (cut off after STOP_CUTOFF_MS), closes the simulators and deletes the file. */
  close(): Promise<void>;
}

/** The sandbox's simulators plus the whole application on them, on loopback, silent, on a fresh temp SQLite file. */
export async function startBenchApp(
  label: string,
  opts: { providers?: readonly ProviderName[]; timings?: ApplicationOptions["timings"]; env?: Record<string, string> } = {},
): Promise<BenchApp> {
  const file = tempSqlite(label);
  const sandbox = await startSandbox(opts.providers ? { providers: opts.providers } : {});
  const config = loadConfig(
    { ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: file.url, ...opts.env },
    { sandbox: true },
  );
  const started = performance.now();
  const app = await startApplication(config, { timings: opts.timings }).catch(async (err: unknown) => {
    await sandbox.close();
    file.remove();
    throw err;
  });
  const startMs = performance.now() - started;
  sandbox.connect(app.url);
  return {
    sandbox, app, config, startMs, databaseUrl: file.url,
    async close() {
      await stopApp(app);
      await sandbox.close();
      file.remove();
    },
  };
}

/** 14-digit references like the service's (yymmdd + 8 digits), unique by construction. */
export function references(count: number, prefix = "251121"): string[] {
  return Array.from({ length: count }, (_, i) => prefix + String(i + 1).padStart(8, "0"));
}

/**
 * `count` distinct references as production makes them (src/ledger/reference.ts: today's date, then 8 random digits),
 * so that their index pages are touched as in a live install: at random within the day, not one after another.
 */
export function dayReferences(count: number, now = new Date()): string[] {
  const refs = new Set<string>();
  while (refs.size < count) refs.add(newReference(now));
  return [...refs];
}

/** How Prisma's SQLite adapter writes a DateTime. */
const sqliteTime = (d: Date) => d.toISOString().replace("Z", "+00:00");

/**
 * Pending top-ups inserted straight into the SQLite file in one transaction (Prisma's createMany needs
 * about a millisecond a row here, too slow for tens of thousands). `nextPollAt` null keeps the poller
 * off them unless `pollNow` is set.
 */
export function seedTopUps(
  databaseUrl: string,
  opts: {
    provider: ProviderName;
    refs: readonly string[];
    amountMinor: number;
    panelLogin: string;
    chatId: bigint;
    /** One user (and chat) per top-up, as 10,000 real customers would be, instead of one shared user. */
    userPerTopUp?: boolean;
    qr?: (ref: string) => { qr: string; md5: string };
    pollNow?: boolean;
    ttlMs?: number;
    /** Creation time (default: now); a simulated clock's start. */
    now?: Date;
    /** Whose top-ups (default: the environment's merchant, 1). */
    merchantId?: number;
  },
): void {
  const now = opts.now ?? new Date();
  const merchantId = Math.trunc(opts.merchantId ?? 1);
  const at = sqliteTime(now);
  const expiresAt = sqliteTime(new Date(now.getTime() + (opts.ttlMs ?? 3_600_000)));
  const sqlite = new BetterSqlite3(sqlitePath(databaseUrl), { timeout: 10_000 });
  try {
    const insertUser = sqlite.prepare(
      `INSERT INTO "users" ("merchantId", "telegramId", "firstName", "language", "panelLogin", "createdAt", "updatedAt") VALUES (${merchantId}, ?, 'Bench', 'en', ?, ?, ?)
       ON CONFLICT ("merchantId", "telegramId") DO UPDATE SET "panelLogin" = excluded."panelLogin" RETURNING "id"`,
    );
    const insertTopUp = sqlite.prepare(
      `INSERT INTO "top_ups" ("merchantId", "reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "qr", "md5",
        "providerRef", "expiresAt", "nextPollAt", "pollCount", "createdAt", "updatedAt") VALUES (${merchantId}, ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    sqlite.transaction(() => {
      const shared = opts.userPerTopUp ? undefined : (insertUser.get(opts.chatId, opts.panelLogin, at, at) as { id: number }).id;
      opts.refs.forEach((reference, i) => {
        const chatId = opts.userPerTopUp ? opts.chatId + BigInt(i) : opts.chatId;
        const userId = shared ?? (insertUser.get(chatId, opts.panelLogin, at, at) as { id: number }).id;
        const qr = opts.qr?.(reference);
        insertTopUp.run(
          reference, userId, chatId, opts.provider, opts.amountMinor, opts.panelLogin, TopUpStatus.PENDING, qr?.qr ?? null, qr?.md5 ?? null,
          opts.provider === "raksmeypay" ? reference : null, expiresAt, opts.pollNow ? at : null, at, at,
        );
      });
    })();
  } finally {
    sqlite.close();
  }
}
