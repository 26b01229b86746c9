import { REPORT_UTC_OFFSET_HOURS } from "../config/report-zone.js";
import type { Database } from "../db/database.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";
import type { Logger } from "../logger.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";

const HOUR_MS = 3_600_000;
/**
 * An hour is rolled up this long after it closes. On PostgreSQL a payment takes its id before it commits, so
 * one with an id the rollup has passed may still commit later; it stays in the report's live part as long as its
 * observedAt (its recorder's clock as it began) is at or after `before`, which holds while recording a payment
 * takes less than this, clock skew between instances included. On SQLite writes are serial and ids never come late.
 */
export const ROLLUP_GRACE_MS = 10 * 60_000;
/** Payments folded per pass: the first passes over a long history hold the write lock briefly each. */
const BATCH_PAYMENTS = 20_000;
/** How far `before` moves per pass after the job was stopped a long time. */
const MAX_ADVANCE_MS = 24 * HOUR_MS;
/** report_rollups' row holding the one mark for every merchant's payments (hours are kept per merchant). */
export const ROLLUP_MARK_ROW = 0;

export interface RollupMark {
  /** report_payment_hours and report_customer_days hold exactly the payments with id ≤ paymentId and observedAt < before. */
  paymentId: number;
  before: Date;
}

/**
 * Folds payments into report_payment_hours (totals per UTC hour, currency and provider; migration 010) and
 * report_customer_days (per customer, local day and currency; migration 014) and moves the mark in report_rollups
 * in the same transaction. A payment's provider, currency, amount, top-up and observedAt never change once
 * recorded (only a placeholder transaction id is renamed), nor does a top-up's customer, so a folded payment
 * stays right for ever; whatever the mark does not cover yet (newer ids, later times) the report sums live
 * (src/admin/reports.ts), so a report is exact whenever it runs. Nothing here touches the payment path.
 */
export function createReportRollup(
  deps: { database: Database; log: Logger; now?: () => Date },
  opts: { sweepMs: number; batchPayments?: number } = { sweepMs: 5 * 60_000 },
): WorkLoop & { pass(): Promise<boolean> } {
  const batch = opts.batchPayments ?? BATCH_PAYMENTS;
  const { db, dialect } = deps.database;
  const postgres = dialect === "postgres";
  const at = (d: Date) => (postgres ? postgresTimestamp(d) : sqliteTimestamp(d));
  const time = (n: number) => (postgres ? `$${n}::timestamp` : `$${n}`);
  // Written with PostgreSQL's $n, each in the order of its parameter; SQLite takes them as ?.
  const numbered = (sql: string) => (postgres ? sql : sql.replaceAll(/\$\d+/g, "?"));
  const beforeText = postgres ? `to_char("before", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : `"before"`;
  const hourOf = postgres ? `date_trunc('hour', "p"."observedAt")` : `substr("p"."observedAt", 1, 13) || ':00:00.000+00:00'`;
  const offset = `${REPORT_UTC_OFFSET_HOURS} hours`;
  const dayOf = postgres
    ? `date_trunc('day', "p"."observedAt" + interval '${offset}') - interval '${offset}'`
    : `strftime('%Y-%m-%dT%H:%M:%f+00:00', "p"."observedAt", '+${offset}', 'start of day', '-${offset}')`;
  // Every merchant with a payment, one index step each (a loose index scan): a merchant-led index then serves a
  // range of times, where the same range over all merchants at once would read every payment ever recorded.
  const merchants = `WITH RECURSIVE "merchant_ids"("id") AS (SELECT min("merchantId") FROM "payments"
    UNION ALL SELECT (SELECT min("merchantId") FROM "payments" WHERE "merchantId" > "merchant_ids"."id") FROM "merchant_ids" WHERE "merchant_ids"."id" IS NOT NULL)
    SELECT "id" FROM "merchant_ids" WHERE "id" IS NOT NULL`;
  /** The payments of one step: newer ids ($1 exclusive to $2 inclusive) observed before $3. */
  const byId = `"p"."id" > $1 AND "p"."id" <= $2 AND "p"."observedAt" < ${time(3)}`;
  /** The payments of one step: ids up to $3 observed from $1 (inclusive) to $2 (exclusive). */
  const byTime = `"p"."merchantId" ${postgres ? `= ANY(ARRAY(${merchants}))` : `IN (${merchants})`}
    AND "p"."observedAt" >= ${time(1)} AND "p"."observedAt" < ${time(2)} AND "p"."id" <= $3`;
  const folds = (where: string) => [
    numbered(`
    INSERT INTO "report_payment_hours" ("merchantId", "hour", "currency", "provider", "count", "sumMinor")
    SELECT "p"."merchantId", ${hourOf}, "p"."currency", "p"."provider", count(*), sum("p"."amountMinor") FROM "payments" AS "p"
    WHERE ${where}
    GROUP BY 1, 2, 3, 4
    ON CONFLICT ("merchantId", "hour", "currency", "provider")
    DO UPDATE SET "count" = "report_payment_hours"."count" + excluded."count", "sumMinor" = "report_payment_hours"."sumMinor" + excluded."sumMinor"`),
    numbered(`
    INSERT INTO "report_customer_days" ("merchantId", "currency", "day", "userId", "count", "sumMinor", "firstAt")
    SELECT "p"."merchantId", "p"."currency", ${dayOf}, "t"."userId", count(*), sum("p"."amountMinor"), min("p"."observedAt")
    FROM "payments" AS "p" JOIN "top_ups" AS "t" ON "t"."id" = "p"."topUpId"
    WHERE ${where}
    GROUP BY 1, 2, 3, 4
    ON CONFLICT ("merchantId", "currency", "day", "userId")
    DO UPDATE SET "count" = "report_customer_days"."count" + excluded."count", "sumMinor" = "report_customer_days"."sumMinor" + excluded."sumMinor",
      "firstAt" = ${postgres ? "least" : "min"}("report_customer_days"."firstAt", excluded."firstAt")`),
  ];
  const foldById = folds(byId);
  const foldByTime = folds(byTime);

  /** Folds one step: newer payments first (by id, below the current `before`), then `before` moves on to the last closed hour. */
  async function pass(): Promise<boolean> {
    const now = deps.now?.() ?? new Date();
    const target = new Date(Math.floor((now.getTime() - ROLLUP_GRACE_MS) / HOUR_MS) * HOUR_MS);
    return db.$transaction(async (tx) => {
      // A write first: on SQLite it takes the write lock, so max(id) below is every payment there is.
      await tx.$executeRawUnsafe(
        numbered(`INSERT INTO "report_rollups" ("merchantId", "paymentId", "before", "updatedAt") VALUES ($1, 0, ${time(2)}, ${time(3)}) ON CONFLICT ("merchantId") DO NOTHING`),
        ROLLUP_MARK_ROW, at(target), at(now),
      );
      const [mark] = await tx.$queryRawUnsafe<{ paymentId: number | bigint; before: string }[]>(
        numbered(`SELECT "paymentId", ${beforeText} AS "before" FROM "report_rollups" WHERE "merchantId" = $1${postgres ? " FOR UPDATE" : ""}`),
        ROLLUP_MARK_ROW,
      );
      const [last] = await tx.$queryRawUnsafe<{ id: number | bigint | null }[]>(`SELECT max("id") AS "id" FROM "payments"`);
      const from: RollupMark = { paymentId: Number(mark!.paymentId), before: new Date(mark!.before) };
      const maxId = Number(last?.id ?? 0);
      let to: RollupMark;
      if (from.paymentId < maxId) {
        to = { paymentId: Math.min(maxId, from.paymentId + batch), before: from.before };
        for (const fold of foldById) await tx.$executeRawUnsafe(fold, from.paymentId, to.paymentId, at(from.before));
      } else if (from.before < target) {
        to = { paymentId: from.paymentId, before: new Date(Math.min(target.getTime(), from.before.getTime() + MAX_ADVANCE_MS)) };
        for (const fold of foldByTime) await tx.$executeRawUnsafe(fold, at(from.before), at(to.before), from.paymentId);
      } else {
        return false;
      }
      await tx.$executeRawUnsafe(
        numbered(`UPDATE "report_rollups" SET "paymentId" = $1, "before" = ${time(2)}, "updatedAt" = ${time(3)} WHERE "merchantId" = $4`),
        to.paymentId, at(to.before), at(now), ROLLUP_MARK_ROW,
      );
      return to.paymentId < maxId || to.before < target;
    });
  }

  const log = deps.log.child({ worker: "report-rollup" });
  const loop = createWorkLoop("report-rollup", pass, { sweepMs: opts.sweepMs, log, minGapMs: 200 });
  return { ...loop, get running() { return loop.running; }, pass };
}
