import type { MerchantDatabase } from "../db/merchant-scope.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";

/**
 * One merchant's raw reads for reports and exports, written once for both dialects: `?` placeholders (numbered
 * for PostgreSQL) and `time` for a timestamp parameter, which PostgreSQL must be told is one where the
 * context does not say (a VALUES list). Prisma returns counts and sums as BigInt, dates as Date. Raw SQL is not
 * scoped by the merchant's client: every query names `merchantId` (the first index column of what it reads).
 */
export function readSql(database: MerchantDatabase) {
  const postgres = database.dialect === "postgres";
  return {
    merchantId: database.merchantId,
    time: postgres ? "?::timestamp" : "?",
    at: (at: Date) => (postgres ? postgresTimestamp(at) : sqliteTimestamp(at)),
    rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      let n = 0;
      return database.db.$queryRawUnsafe<T[]>(postgres ? sql.replaceAll("?", () => `$${++n}`) : sql, ...params);
    },
  };
}

export type ReadSql = ReturnType<typeof readSql>;
