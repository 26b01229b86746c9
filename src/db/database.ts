import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.js";
import { ALL_MERCHANTS } from "./all-merchants.js";
import { assertMigrated, migrate } from "./migrate.js";
import { describeOpenError, prepareSqliteFolder, probePostgres } from "./open-errors.js";
import { startCheckpointer, type Checkpointer } from "./sqlite-checkpointer.js";
import { SQLITE_PRAGMAS, SQLITE_READ_CACHE_PRAGMA } from "./sqlite-pragmas.js";
import { dialectOf, sqlitePath, type Dialect } from "./url.js";

export type { Dialect };

/** Both generated clients have the same models; the SQLite one's type stands for both. */
export type Db = SqliteClient;

export interface Database {
  db: Db;
  dialect: Dialect;
  url: string;
  /** PostgreSQL only: a pool for LISTEN/NOTIFY, advisory locks and the ledger's hot path. */
  pgPool?: pg.Pool;
  /** SQLite only: the file, for connections of their own (the ledger's hot path, the checkpointer). */
  sqliteFile?: string;
  /** Opened with `existing: "read-only"`: every connection made from it must refuse writes too. */
  readonly: boolean;
  /** SQLite only: the thread that checkpoints the WAL off the main thread. */
  checkpointer?: Checkpointer;
  close(): Promise<void>;
}

export interface OpenOptions {
  poolSize?: number;
  onPoolError?: (err: Error) => void;
  /**
   * Open only a database that exists and is migrated, never creating or migrating one (the operator CLI);
   * "read-only" also refuses every write.
   */
  existing?: "read-only" | "read-write";
  onCheckpointError?: (err: Error) => void;
  /** SQLite: false when another opening of the same file in this process already runs the checkpointer (the crediting thread's). */
  checkpoint?: boolean;
}

/** Prisma's SQLite adapter with SQLITE_PRAGMAS and its bounded page cache applied to every connection it opens. */
class SqliteAdapter extends PrismaBetterSqlite3 {
  override connect() {
    return super.connect().then(async (connection) => {
      await connection.executeScript(SQLITE_PRAGMAS);
      await connection.executeScript(SQLITE_READ_CACHE_PRAGMA);
      return connection;
    });
  }
}

/**
 * Opens the database named by `url`, applying pending migrations first (unless `existing`).
 * Throws a DatabaseOpenError (one line: what and where) when it cannot be reached, created or migrated.
 */
export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  const dialect = dialectOf(url);
  const readonly = opts.existing === "read-only";
  try {
    if (opts.existing) {
      await assertMigrated(url);
    } else {
      if (dialect === "sqlite") prepareSqliteFolder(sqlitePath(url));
      else await probePostgres(url);
      await migrate(url);
    }
  } catch (err) {
    throw describeOpenError(url, err);
  }
  if (dialect === "sqlite") {
    const file = sqlitePath(url);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const db = new SqliteClient({ adapter: new SqliteAdapter({ url: file, timeout: 10_000, readonly }) });
    await db.$executeRawUnsafe("PRAGMA busy_timeout = 10000");
    // A read-only connection writes nothing, so there is nothing to checkpoint.
    const checkpointer = file === ":memory:" || readonly || opts.checkpoint === false ? undefined : startCheckpointer(file, { onError: opts.onCheckpointError });
    return {
      db, dialect, url, sqliteFile: file, readonly, checkpointer,
      close: async () => {
        await db.$disconnect();
        await checkpointer?.stop();
      },
    };
  }
  // The pool acts for every merchant (ALL_MERCHANTS); a merchant's raw reads narrow it per transaction (src/admin/read-sql.ts).
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, options: `${ALL_MERCHANTS}${readonly ? " -c default_transaction_read_only=on" : ""}` });
  // An idle connection dropped by the server (restart, admin kill) must not crash the process; the pool replaces it.
  pool.on("error", (err) => opts.onPoolError?.(err));
  const client = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as Db;
  return {
    db: client,
    dialect,
    url,
    pgPool: pool,
    readonly,
    close: async () => {
      await client.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
