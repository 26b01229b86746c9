import Sqlite from "better-sqlite3";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";
import { REPORT_UTC_OFFSET_HOURS } from "../config/report-zone.js";
import { SQLITE_READ_CACHE_PRAGMA } from "../db/sqlite-pragmas.js";

/**
 * One merchant's raw reads for reports and exports, written once for both dialects: `?` placeholders (numbered
 * for PostgreSQL) and `time` for a timestamp parameter, which PostgreSQL must be told is one where the
 * context does not say (a VALUES list). Prisma returns counts and sums as BigInt, dates as Date. Raw SQL is not
 * scoped by the merchant's client: every query names `merchantId` (the first index column of what it reads).
 */
export function readSql(database: MerchantDatabase) {
  const actAsMerchant = (db: Pick<MerchantDatabase["db"], "$queryRawUnsafe">) =>
    db.$queryRawUnsafe(`SELECT set_config('app.scope', 'merchant', true), set_config('app.merchant_id', $1, true)`, String(database.merchantId));
  const postgres = database.dialect === "postgres";
  const numbered = (sql: string) => {
    let n = 0;
    return postgres ? sql.replaceAll("?", () => `$${++n}`) : sql;
  };
  return {
    postgres,
    merchantId: database.merchantId,
    time: postgres ? "?::timestamp" : "?",
    at: (at: Date) => (postgres ? postgresTimestamp(at) : sqliteTimestamp(at)),
    /** The chart bucket a timestamp column falls in, as bucketsOf labels it: its local hour ("00".."23") or local date. */
    localLabel: (unit: "hour" | "day", column: string) =>
      postgres
        ? `to_char(${column} + interval '${REPORT_UTC_OFFSET_HOURS} hours', '${unit === "hour" ? "HH24" : "YYYY-MM-DD"}')`
        : `strftime('${unit === "hour" ? "%H" : "%Y-%m-%d"}', ${column}, '+${REPORT_UTC_OFFSET_HOURS} hours')`,
    /** A column SQLite must not pick an index by (unary plus); PostgreSQL weighs its parameters and needs no hint. */
    unindexed: (column: string) => (postgres ? column : `+${column}`),
    /** A timestamp column as ISO text with its zone, for Date.parse. */
    isoText: (column: string) => (postgres ? `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column),
    /** A timestamp column as text the same `time` parameter accepts back (a keyset's position). */
    timeText: (column: string) => (postgres ? `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS')` : column),
    /** A timestamp column as "YYYY-MM-DD HH:MM:SS" in the report time zone (src/admin/period.ts localDateTime). */
    localTimeText: (column: string) =>
      postgres
        ? `to_char(${column} + interval '${REPORT_UTC_OFFSET_HOURS} hours', 'YYYY-MM-DD HH24:MI:SS')`
        : `strftime('%Y-%m-%d %H:%M:%S', ${column}, '+${REPORT_UTC_OFFSET_HOURS} hours')`,
    async rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      const { db } = database;
      if (!postgres) return db.$queryRawUnsafe<T[]>(sql, ...params);
      // Under row-level security (a role that is not a superuser) the read sees this merchant's rows only,
      // whatever its WHERE says: the pool's connections act for all merchants until told otherwise.
      const [, rows] = await db.$transaction([actAsMerchant(db), db.$queryRawUnsafe<T[]>(numbered(sql), ...params)]);
      return rows;
    },
    /** Reads that must agree with each other, in one snapshot (REPEATABLE READ on PostgreSQL, one transaction on SQLite). */
    snapshot<T>(fn: (read: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
      const isolation = (postgres ? { isolationLevel: "RepeatableRead" } : {}) as { isolationLevel?: "Serializable" };
      return database.db.$transaction(async (tx) => {
        if (postgres) await actAsMerchant(tx);
        return fn(<R>(sql: string, params: readonly unknown[]) => tx.$queryRawUnsafe<R[]>(numbered(sql), ...params));
      }, isolation);
    },
    /**
     * A reader of many rows as plain arrays, straight from the driver (Prisma builds an object and converts
     * every value of every row, which costs twice the query on an export): a read-only connection of its own
     * on SQLite, the pool on PostgreSQL. Values come as the driver gives them: PostgreSQL's bigints and sums as
     * text, SQLite's integers as numbers; select timestamps as text. Close it when done.
     */
    openArrays(): { arrays(sql: string, params: readonly unknown[]): Promise<unknown[][]>; close(): void } {
      if (database.pgPool) {
        const pool = database.pgPool;
        return {
          arrays: async (sql, params) => (await pool.query({ text: numbered(sql), values: [...params], rowMode: "array" })).rows as unknown[][],
          close: () => undefined,
        };
      }
      const db = new Sqlite(database.sqliteFile!, { readonly: true });
      db.pragma("busy_timeout = 10000");
      db.exec(SQLITE_READ_CACHE_PRAGMA);
      const statements = new Map<string, Sqlite.Statement>();
      return {
        arrays: async (sql, params) => {
          const statement = statements.get(sql) ?? statements.set(sql, db.prepare(sql).raw(true)).get(sql)!;
          return statement.all(...params) as unknown[][];
        },
        close: () => db.close(),
      };
    },
  };
}

export type ReadSql = ReturnType<typeof readSql>;
