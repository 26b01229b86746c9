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
    async rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      const { db } = database;
      if (!postgres) return db.$queryRawUnsafe<T[]>(sql, ...params);
      let n = 0;
      // Under row-level security (a role that is not a superuser) the read sees this merchant's rows only,
      // whatever its WHERE says: the pool's connections act for all merchants until told otherwise.
      const [, rows] = await db.$transaction([
        db.$queryRawUnsafe(`SELECT set_config('app.scope', 'merchant', true), set_config('app.merchant_id', $1, true)`, String(database.merchantId)),
        db.$queryRawUnsafe<T[]>(sql.replaceAll("?", () => `$${++n}`), ...params),
      ]);
      return rows;
    },
  };
}

export type ReadSql = ReturnType<typeof readSql>;
