import Sqlite from "better-sqlite3";
import type pg from "pg";
import { openDatabase, type Database, type OpenOptions } from "../db/database.js";
import { applySqlitePragmas } from "../db/sqlite-pragmas.js";
import type { PaymentObservation, RecordOptions, RecordOutcome } from "./observation.js";
import type { CreditQueue } from "./credit-queue.js";
import type { RecorderConfig } from "./decide.js";
import type { NotificationQueue } from "./notification-queue.js";
import { createPostgresCreditQueue } from "./postgres-credit-queue.js";
import { createPostgresNotificationQueue } from "./postgres-notification-queue.js";
import { createPostgresRecorder } from "./postgres-recorder.js";
import { createSqliteCreditQueue } from "./sqlite-credit-queue.js";
import { createGroupCommit, type GroupCommitted } from "./sqlite-group-commit.js";
import { createSqliteNotificationQueue } from "./sqlite-notification-queue.js";
import { createSqliteRecorder } from "./sqlite-recorder.js";

/**
 * The ledger's hot paths, which bypass Prisma: record a payment (with its credit and notes), claim and
 * finish credits, claim and settle notifications. On SQLite they share one better-sqlite3 connection of
 * their own and run as synchronous, group-committed transactions; on PostgreSQL each is one statement
 * (CTEs) over the pg pool, payments group-committed too. Prisma serves the cold paths (admin, reports, lookups, the rare transitions).
 */
export interface HotPath {
  record(config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, now: Date): Promise<RecordOutcome>;
  credits: CreditQueue;
  notifications: NotificationQueue;
  /**
   * One statement of a service above the ledger that runs on every update (the customer upsert), on these
   * connections instead of Prisma's: group-committed with the ledger's own writes on SQLite (? placeholders),
   * over the pool on PostgreSQL ($n placeholders). Returns the rows it returns.
   */
  statement<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  close(): void;
}

export function openSqliteHotPath(file: string, opts: { readonly?: boolean } = {}): HotPath {
  const db = new Sqlite(file, { readonly: opts.readonly ?? false });
  applySqlitePragmas(db);
  // Never block the event loop waiting for a lock: a busy database is retried asynchronously (src/ledger/sqlite-group-commit.ts).
  db.pragma("busy_timeout = 0");
  const groupCommit = createGroupCommit(db);
  const recorder = createSqliteRecorder(db, groupCommit);
  return {
    record: recorder.record,
    credits: createSqliteCreditQueue(db, groupCommit),
    notifications: createSqliteNotificationQueue(db, groupCommit),
    statement: sqliteStatements(db, groupCommit),
    close: () => db.close(),
  };
}

/** Statements prepared once each (their texts are the callers' constants), each run group-committed. */
function sqliteStatements(db: Sqlite.Database, groupCommit: GroupCommitted): HotPath["statement"] {
  const prepared = new Map<string, Sqlite.Statement>();
  const run = groupCommit(({ sql, params }: { sql: string; params: readonly unknown[] }) => {
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement.reader ? statement.all(...params) : (statement.run(...params), []);
  });
  return <Row>(sql: string, params: readonly unknown[]) => run({ sql, params }) as Promise<Row[]>;
}

export function postgresHotPath(pool: pg.Pool): HotPath {
  return {
    record: createPostgresRecorder(pool).record,
    credits: createPostgresCreditQueue(pool),
    notifications: createPostgresNotificationQueue(pool),
    statement: async <Row>(sql: string, params: readonly unknown[]) => (await pool.query(sql, [...params])).rows as Row[],
    close: () => undefined,
  };
}

/** A database with the ledger's hot path built over its connections (`db/` opens them; the ledger uses them). */
export interface LedgerDatabase extends Database {
  hot: HotPath;
}

/** Builds the ledger's hot path over `database`; closing the result closes both. */
export function withHotPath(database: Database): LedgerDatabase {
  const hot = database.pgPool ? postgresHotPath(database.pgPool) : openSqliteHotPath(database.sqliteFile!, { readonly: database.readonly });
  return {
    ...database,
    hot,
    close: async () => {
      hot.close();
      await database.close();
    },
  };
}

/** openDatabase (src/db/database.ts) with the ledger's hot path: what the application and its tools use. */
export async function openLedgerDatabase(url: string, opts: OpenOptions = {}): Promise<LedgerDatabase> {
  return withHotPath(await openDatabase(url, opts));
}
