import type Sqlite from "better-sqlite3";
import { KIND_PREFIX, type Backlog, type MerchantBacklog, notificationFromRow, OPEN_CREDIT, type Audience, type NotificationQueue, type RawNotification, type Retry } from "./notification-queue.js";
import { sqlSources, sqlStates } from "./moves.js";
import { receiptFactsFromRow, receiptFactsSql, type RawReceiptFacts } from "./receipt-facts.js";
import type { GroupCommitted } from "./sqlite-group-commit.js";
import { sqliteTimestamp } from "./sql-time.js";
import { CreditKind } from "./states.js";
import { NotificationStatus } from "./transitions.js";

const { QUEUED, SENT, FAILED } = NotificationStatus;
// `+"status"`: rows are found by id; without the `+`, SQLite walks the status index over the whole backlog.
const dueSql = (audience: Audience) =>
  `SELECT * FROM "notifications" WHERE "status" = '${QUEUED}' AND "nextAttemptAt" <= @at AND ("claimedUntil" IS NULL OR "claimedUntil" < @at)
   AND substr("kind", 1, 6) = '${KIND_PREFIX[audience]}' ORDER BY "nextAttemptAt" LIMIT @limit`;

/** SQLite's notifier hot path: prepared statements on the ledger's connection, writes group-committed. */
export function createSqliteNotificationQueue(db: Sqlite.Database, groupCommit: GroupCommitted): NotificationQueue {
  const q = {
    // Integers as BigInt: a chat id is 64-bit.
    customers: db.prepare<[{ at: string; limit: number }], RawNotification>(dueSql("customers")).safeIntegers(),
    admins: db.prepare<[{ at: string; limit: number }], RawNotification>(dueSql("admins")).safeIntegers(),
    claim: db.prepare<[string, string, string], { id: number }>(
      `UPDATE "notifications" SET "claimedUntil" = ? WHERE "id" IN (SELECT "value" FROM json_each(?)) AND +"status" = '${QUEUED}'
       AND ("claimedUntil" IS NULL OR "claimedUntil" < ?) RETURNING "id"`,
    ),
    sent: db.prepare<[string, string]>(
      `UPDATE "notifications" SET "status" = '${SENT}', "sentAt" = ?, "claimedUntil" = NULL WHERE "id" IN (SELECT "value" FROM json_each(?)) AND +"status" IN (${sqlSources("notification", SENT)})`,
    ),
    customersWaiting: db.prepare<[{ at: string }], { waiting: number }>(
      `SELECT EXISTS (SELECT 1 FROM "notifications" WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = '${KIND_PREFIX.customers}')
           OR EXISTS (SELECT 1 FROM "credits" WHERE "status" IN (${sqlStates(OPEN_CREDIT)}) AND "nextAttemptAt" <= @at AND "kind" = '${CreditKind.PAYMENT}') AS "waiting"`,
    ),
    backlog: db.prepare<[string], { queued: number; oldestDueAt: string | null }>(
      `SELECT count(*) AS "queued", min("nextAttemptAt") AS "oldestDueAt" FROM "notifications" WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = ?`,
    ),
    lateReceipts: db.prepare<[string], { merchantId: number; queued: number; oldestDueAt: string }>(
      `SELECT "merchantId", count(*) AS "queued", min("nextAttemptAt") AS "oldestDueAt" FROM "notifications"
       WHERE "status" = '${QUEUED}' AND substr("kind", 1, 6) = '${KIND_PREFIX.customers}' AND "nextAttemptAt" <= ? GROUP BY "merchantId"`,
    ),
    receipt: db.prepare<[number], RawReceiptFacts>(receiptFactsSql("sqlite")),
    retry: db.prepare(
      `UPDATE "notifications" SET "status" = @status, "attempts" = @attempts, "lastError" = @lastError, "nextAttemptAt" = @nextAttemptAt, "claimedUntil" = NULL,
         "sentAt" = @settledAt
       WHERE "id" = @id AND "status" IN (${sqlSources("notification", QUEUED)})`,
    ),
  };

  const claim = groupCommit((c: { ids: readonly number[]; at: Date; leaseMs: number }) =>
    new Set(q.claim.all(sqliteTimestamp(new Date(c.at.getTime() + c.leaseMs)), JSON.stringify(c.ids), sqliteTimestamp(c.at)).map((r) => r.id)),
  );
  const sent = groupCommit((s: { ids: readonly number[]; at: Date }) => void q.sent.run(sqliteTimestamp(s.at), JSON.stringify(s.ids)));
  const retry = groupCommit((r: { retries: readonly Retry[]; lastError: string }) => {
    for (const one of r.retries) {
      const nextAttemptAt = sqliteTimestamp(one.nextAttemptAt);
      // A message given up on is settled then: retention prunes it by that time, as a sent one.
      q.retry.run({ id: one.id, status: one.giveUp ? FAILED : QUEUED, attempts: one.attempts, lastError: r.lastError, nextAttemptAt, settledAt: one.giveUp ? nextAttemptAt : null });
    }
  });

  return {
    due: (audience, at, limit) => Promise.resolve((audience === "customers" ? q.customers : q.admins).all({ at: sqliteTimestamp(at), limit }).map(notificationFromRow)),
    claim: (ids, at, leaseMs) => (ids.length === 0 ? Promise.resolve(new Set()) : claim({ ids, at, leaseMs })),
    customersWaiting: (at) => Promise.resolve(q.customersWaiting.get({ at: sqliteTimestamp(at) })!.waiting === 1),
    sent: (ids, at) => (ids.length === 0 ? Promise.resolve() : sent({ ids, at })),
    retry: (retries, lastError) => retry({ retries, lastError }),
    receipt: (topUpId) => {
      const row = q.receipt.get(topUpId);
      return Promise.resolve(row ? receiptFactsFromRow(row) : null);
    },
    backlog: (audience): Promise<Backlog> => {
      const row = q.backlog.get(KIND_PREFIX[audience])!;
      return Promise.resolve({ queued: row.queued, oldestDueAt: row.oldestDueAt === null ? null : new Date(row.oldestDueAt) });
    },
    lateReceipts: (dueBefore): Promise<MerchantBacklog[]> =>
      Promise.resolve(q.lateReceipts.all(sqliteTimestamp(dueBefore)).map((r) => ({ merchantId: r.merchantId, queued: r.queued, oldestDueAt: new Date(r.oldestDueAt) }))),
  };
}
