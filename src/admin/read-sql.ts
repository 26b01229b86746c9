import type { Database } from "../db/database.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";

/**
 * Raw reads for reports and exports, written once for both dialects: `?` placeholders (numbered for
 * PostgreSQL) and `time` for a timestamp parameter, which PostgreSQL must be told is one where the
 * context does not say (a VALUES list). Prisma returns counts and sums as BigInt, dates as Date.
 */
export function readSql(database: Database) {
  const postgres = database.dialect === "postgres";
  return {
    time: postgres ? "?::timestamp" : "?",
    at: (at: Date) => (postgres ? postgresTimestamp(at) : sqliteTimestamp(at)),
    rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      let n = 0;
      return database.db.$queryRawUnsafe<T[]>(postgres ? sql.replaceAll("?", () => `$${++n}`) : sql, ...params);
    },
  };
}

export type ReadSql = ReturnType<typeof readSql>;
