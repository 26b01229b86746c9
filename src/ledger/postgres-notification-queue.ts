import type pg from "pg";
import { KIND_PREFIX, type Backlog, type MerchantBacklog, notificationFromRow, OPEN_CREDIT, type Audience, type NotificationQueue, type RawNotification } from "./notification-queue.js";
import { sqlSources, sqlStates } from "./moves.js";
import { prepared } from "./pg-statement.js";
import { receiptFactsFromRow, receiptFactsSql, type RawReceiptFacts } from "./receipt-facts.js";
import { postgresIsoColumn, postgresTimestamp } from "./sql-time.js";
import { CreditKind } from "./states.js";
import { NotificationStatus } from "./transitions.js";

const { QUEUED, SENT, FAILED } = NotificationStatus;
const COLUMNS = `"id", "merchantId", "dedupeKey", "chatId"::text AS "chatId", "kind", "payload", "status", "attempts", "lastError", ${["nextAttemptAt", "claimedUntil", "createdAt", "sentAt"].map(postgresIsoColumn).join(", ")}`;
const dueSql = (audience: Audience) =>
  `SELECT ${COLUMNS} FROM "notifications" WHERE "status" = '${QUEUED}' AND "nextAttemptAt" <= $1::timestamp AND ("claimedUntil" IS NULL OR "claimedUntil" < $1::timestamp)
   AND substr("kind", 1, 6) = '${KIND_PREFIX[audience]}' ORDER BY "nextAttemptAt" LIMIT $2`;
const CUSTOMERS_WAITING = prepared(
  "ledger-customers-waiting",
  `SELECT EXISTS (SELECT 1 FROM "notifications" WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = '${KIND_PREFIX.customers}')
       OR EXISTS (SELECT 1 FROM "credits" WHERE "status" IN (${sqlStates(OPEN_CREDIT)}) AND "nextAttemptAt" <= $1::timestamp AND "kind" = '${CreditKind.PAYMENT}') AS "waiting"`,
);
const BACKLOG = prepared(
  "ledger-notification-backlog",
  `SELECT count(*)::int AS "queued", to_char(min("nextAttemptAt"), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "oldestDueAt"
   FROM "notifications" WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = $1`,
);
const LATE_RECEIPTS = prepared(
  "ledger-late-receipts",
  `SELECT "merchantId", count(*)::int AS "queued", to_char(min("nextAttemptAt"), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "oldestDueAt"
   FROM "notifications" WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = '${KIND_PREFIX.customers}' AND "nextAttemptAt" <= $1::timestamp GROUP BY "merchantId"`,
);
const RECEIPT = prepared("ledger-receipt-facts", receiptFactsSql("postgres"));
const CLAIM = prepared(
  "ledger-claim-notifications",
  `UPDATE "notifications" SET "claimedUntil" = $1::timestamp WHERE "id" = ANY($2::int[]) AND "status" = '${QUEUED}'
   AND ("claimedUntil" IS NULL OR "claimedUntil" < $3::timestamp) RETURNING "id"`,
);
const SENT_NOTES = prepared(
  "ledger-notifications-sent",
  `UPDATE "notifications" SET "status" = '${SENT}', "sentAt" = $1::timestamp, "claimedUntil" = NULL WHERE "id" = ANY($2::int[]) AND "status" IN (${sqlSources("notification", SENT)})`,
);
const DUE = { customers: prepared("ledger-due-customer-notes", dueSql("customers")), admins: prepared("ledger-due-admin-notes", dueSql("admins")) };

/** PostgreSQL's notifier hot path: one statement per call over the pg pool. */
export function createPostgresNotificationQueue(pool: pg.Pool): NotificationQueue {
  return {
    async due(audience, at, limit) {
      const { rows } = await pool.query<RawNotification>(DUE[audience]([postgresTimestamp(at), limit]));
      return rows.map(notificationFromRow);
    },
    async backlog(audience): Promise<Backlog> {
      const { rows } = await pool.query<{ queued: number; oldestDueAt: string | null }>(BACKLOG([KIND_PREFIX[audience]]));
      return { queued: rows[0]!.queued, oldestDueAt: rows[0]!.oldestDueAt === null ? null : new Date(rows[0]!.oldestDueAt) };
    },
    async lateReceipts(dueBefore): Promise<MerchantBacklog[]> {
      const { rows } = await pool.query<{ merchantId: number; queued: number; oldestDueAt: string }>(LATE_RECEIPTS([postgresTimestamp(dueBefore)]));
      return rows.map((r) => ({ merchantId: r.merchantId, queued: r.queued, oldestDueAt: new Date(r.oldestDueAt) }));
    },
    async receipt(topUpId) {
      const { rows } = await pool.query<RawReceiptFacts>(RECEIPT([topUpId]));
      return rows[0] ? receiptFactsFromRow(rows[0]) : null;
    },
    async customersWaiting(at) {
      const { rows } = await pool.query<{ waiting: boolean }>(CUSTOMERS_WAITING([postgresTimestamp(at)]));
      return rows[0]!.waiting;
    },
    async claim(ids, at, leaseMs) {
      if (ids.length === 0) return new Set();
      const { rows } = await pool.query<{ id: number }>(CLAIM([postgresTimestamp(new Date(at.getTime() + leaseMs)), ids, postgresTimestamp(at)]));
      return new Set(rows.map((r) => r.id));
    },
    async sent(ids, at) {
      if (ids.length === 0) return;
      await pool.query(SENT_NOTES([postgresTimestamp(at), ids]));
    },
    async retry(retries, lastError) {
      if (retries.length === 0) return;
      await pool.query(
        `UPDATE "notifications" AS n SET "status" = CASE WHEN r."giveUp" THEN '${FAILED}' ELSE '${QUEUED}' END, "attempts" = r."attempts", "lastError" = $5,
           "nextAttemptAt" = r."nextAttemptAt", "claimedUntil" = NULL, "sentAt" = CASE WHEN r."giveUp" THEN r."nextAttemptAt" END
         FROM unnest($1::int[], $2::int[], $3::timestamp[], $4::bool[]) AS r("id", "attempts", "nextAttemptAt", "giveUp")
         WHERE n."id" = r."id" AND n."status" IN (${sqlSources("notification", QUEUED)})`,
        [retries.map((r) => r.id), retries.map((r) => r.attempts), retries.map((r) => postgresTimestamp(r.nextAttemptAt)), retries.map((r) => r.giveUp), lastError],
      );
    },
  };
}
