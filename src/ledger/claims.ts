import type { Database } from "../db/database.js";
import { CreditStatus } from "../payments/states.js";
import { postgresTimestamp, sqliteTimestamp } from "./sql-time.js";

function timestampParam(database: Database, at: Date): string {
  return database.dialect === "sqlite" ? sqliteTimestamp(at) : postgresTimestamp(at);
}

export interface ClaimedCredit {
  id: number;
  /** SENDING: call the panel. RECONCILE: look for the memo first. */
  status: typeof CreditStatus.SENDING | typeof CreditStatus.RECONCILE;
}

/**
 * Claims up to `limit` due credits in one statement: QUEUED ones become SENDING (the table's only
 * move here), RECONCILE ones keep their state; both get this instance's lease. On PostgreSQL,
 * rows another instance is claiming are skipped, not waited for.
 */
export async function claimDueCredits(database: Database, opts: { instanceId: string; at: Date; leaseMs: number; limit: number }): Promise<ClaimedCredit[]> {
  if (opts.limit <= 0) return [];
  const at = timestampParam(database, opts.at);
  const until = timestampParam(database, new Date(opts.at.getTime() + opts.leaseMs));
  const { QUEUED, SENDING, RECONCILE } = CreditStatus;
  const rows =
    database.dialect === "sqlite"
      ? await database.db.$queryRawUnsafe<{ id: number | bigint; status: string }[]>(
          `UPDATE "credits" SET "status" = CASE WHEN "status" = '${QUEUED}' THEN '${SENDING}' ELSE "status" END, "claimedBy" = ?, "claimedUntil" = ?
           WHERE "id" IN (SELECT "id" FROM "credits" WHERE "status" IN ('${QUEUED}', '${RECONCILE}') AND "nextAttemptAt" <= ?
             AND ("claimedUntil" IS NULL OR "claimedUntil" < ?) ORDER BY "nextAttemptAt" LIMIT ?)
           RETURNING "id", "status"`,
          opts.instanceId, until, at, at, opts.limit,
        )
      : await database.db.$queryRawUnsafe<{ id: number | bigint; status: string }[]>(
          `UPDATE "credits" SET "status" = CASE WHEN "status" = '${QUEUED}' THEN '${SENDING}' ELSE "status" END, "claimedBy" = $1, "claimedUntil" = $2::timestamp
           WHERE "id" IN (SELECT "id" FROM "credits" WHERE "status" IN ('${QUEUED}', '${RECONCILE}') AND "nextAttemptAt" <= $3::timestamp
             AND ("claimedUntil" IS NULL OR "claimedUntil" < $3::timestamp) ORDER BY "nextAttemptAt" LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING "id", "status"`,
          opts.instanceId, until, at, opts.limit,
        );
  return rows.map((r) => ({ id: Number(r.id), status: r.status === RECONCILE ? RECONCILE : SENDING }));
}
