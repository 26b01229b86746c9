import { REPORT_UTC_OFFSET_HOURS } from "../config/report-zone.js";
import type { Database } from "../db/database.js";
import { CURRENCIES } from "../money/money.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";
import type { Logger } from "../logger.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const OFFSET_MS = REPORT_UTC_OFFSET_HOURS * HOUR_MS;
/** The report windows kept per customer in report_customer_windows: /report 7d and 30d (src/admin/period.ts). */
export const REPORT_WINDOW_DAYS = [7, 30] as const;
/**
 * An hour is rolled up this long after it closes. On PostgreSQL a payment takes its id before it commits, so
 * one with an id the rollup has passed may still commit later; it stays in the report's live part as long as its
 * observedAt (its recorder's clock as it began) is at or after `before`, which holds while recording a payment
 * takes less than this, clock skew between instances included. On SQLite writes are serial and ids never come late.
 */
export const ROLLUP_GRACE_MS = 10 * 60_000;
/** Payments folded per pass: the first passes over a long history hold the write lock briefly each. */
const BATCH_PAYMENTS = 20_000;
/**
 * A pass's transaction may take this long: the windows' first fill (after migration 015, or a stop of more than
 * a window) sums every customer day of the last 30, beyond Prisma's 5 s default on a loaded PostgreSQL. It holds
 * the mark's row (PostgreSQL) or the write lock (SQLite) meanwhile; a daily slide regroups one day's customers.
 */
const PASS_TIMEOUT_MS = 120_000;
/** How far `before` moves per pass after the job was stopped a long time. */
const MAX_ADVANCE_MS = 24 * HOUR_MS;
/** report_rollups' row holding the one mark for every merchant's payments (hours are kept per merchant). */
export const ROLLUP_MARK_ROW = 0;

export interface RollupMark {
  /** report_payment_hours and report_customer_days hold exactly the payments with id ≤ paymentId and observedAt < before. */
  paymentId: number;
  before: Date;
}

/** The instant the local (report time zone) day `at` falls on began. */
const localDayOf = (at: Date) => new Date(Math.floor((at.getTime() + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS);
/** The local days [from, to) a window of `days` ending on the local day `last` (inclusive) covers. */
export const windowRange = (days: number, last: Date) => ({ from: new Date(last.getTime() - (days - 1) * DAY_MS), to: new Date(last.getTime() + DAY_MS) });

/**
 * Folds payments into report_payment_hours (totals per UTC hour, currency and provider; migration 010) and
 * report_customer_days (per customer, local day and currency; migration 014) and moves the mark in report_rollups
 * in the same transaction. A payment's provider, currency, amount, top-up and observedAt never change once
 * recorded (only a placeholder transaction id is renamed), nor does a top-up's customer, so a folded payment
 * stays right for ever; whatever the mark does not cover yet (newer ids, later times) the report sums live
 * (src/admin/reports.ts), so a report is exact whenever it runs. Nothing here touches the payment path.
 *
 * report_customer_windows (migration 015) holds, for each window of REPORT_WINDOW_DAYS local days ending on the
 * mark's windowDay, the sum of report_customer_days over it: each fold adds what it folds into the window's days,
 * and once the local day changes the windows slide to end on it (the days that enter are added; each customer
 * with a day that left is summed again from its remaining days, its first payment in the window included), all in
 * the fold's transaction, so the windows always agree with the customer days under the same mark.
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
  const isoText = (column: string) => (postgres ? `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column);
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
  const merchantIn = (column: string) => (postgres ? `${column} = ANY(ARRAY(${merchants}))` : `${column} IN (${merchants})`);
  const least = postgres ? "least" : "min";
  const addToWindow = `ON CONFLICT ("merchantId", "days", "currency", "userId")
    DO UPDATE SET "count" = "report_customer_windows"."count" + excluded."count", "sumMinor" = "report_customer_windows"."sumMinor" + excluded."sumMinor",
      "firstAt" = ${least}("report_customer_windows"."firstAt", excluded."firstAt")`;
  /** A step's payments observed from $4 to $5 (a window's days), added to the window of `days`. */
  const foldWindow = (where: string, days: number) =>
    numbered(`
    INSERT INTO "report_customer_windows" ("merchantId", "days", "currency", "userId", "count", "sumMinor", "firstAt")
    SELECT "p"."merchantId", ${days}, "p"."currency", "t"."userId", count(*), sum("p"."amountMinor"), min("p"."observedAt")
    FROM "payments" AS "p" JOIN "top_ups" AS "t" ON "t"."id" = "p"."topUpId"
    WHERE ${where} AND "p"."observedAt" >= ${time(4)} AND "p"."observedAt" < ${time(5)}
    GROUP BY 1, 2, 3, 4
    ${addToWindow}`);
  const byIdWindow = new Map(REPORT_WINDOW_DAYS.map((days) => [days, foldWindow(byId, days)]));
  const byTimeWindow = new Map(REPORT_WINDOW_DAYS.map((days) => [days, foldWindow(byTime, days)]));
  // SQLite would group a range of days off the customers' index (migration 015), which lists them in order but
  // holds every day ever paid: grouping by an expression (unary plus) leaves it the key's range of days.
  const groupedUser = postgres ? `"d"."userId"` : `+"d"."userId"`;
  const byCustomer = postgres ? "" : ` INDEXED BY "report_customer_days_merchantId_currency_userId_day_firstAt_idx"`;
  /** Every merchant's customer days from $1 to $2 (a merchant-led loose scan, each currency's run of days). */
  const customerDays = `"report_customer_days" AS "d" WHERE ${merchantIn(`"d"."merchantId"`)} AND "d"."currency" IN (${CURRENCIES.map((c) => `'${c}'`).join(", ")})
    AND "d"."day" >= ${time(1)} AND "d"."day" < ${time(2)}`;
  const slide = (days: number) => ({
    /** Days $1..$2 entering the window. */
    enter: numbered(`
    INSERT INTO "report_customer_windows" ("merchantId", "days", "currency", "userId", "count", "sumMinor", "firstAt")
    SELECT "d"."merchantId", ${days}, "d"."currency", "d"."userId", sum("d"."count"), sum("d"."sumMinor"), min("d"."firstAt") FROM ${customerDays}
    GROUP BY "d"."merchantId", "d"."currency", ${groupedUser}
    ${addToWindow}`),
    /** The customers with a day in $1..$2 (leaving the window) lose their row, to be summed again by `resum`. */
    leave: numbered(`
    DELETE FROM "report_customer_windows" WHERE "days" = ${days} AND ("merchantId", "currency", "userId") IN (SELECT "d"."merchantId", "d"."currency", "d"."userId" FROM ${customerDays})`),
    /** The same customers' days in the window now, $3..$4, off the customer index (migration 015). */
    resum: numbered(`
    INSERT INTO "report_customer_windows" ("merchantId", "days", "currency", "userId", "count", "sumMinor", "firstAt")
    SELECT "w"."merchantId", ${days}, "w"."currency", "w"."userId", sum("w"."count"), sum("w"."sumMinor"), min("w"."firstAt") FROM "report_customer_days" AS "w"${byCustomer}
    WHERE ("w"."merchantId", "w"."currency", "w"."userId") IN (SELECT "d"."merchantId", "d"."currency", "d"."userId" FROM ${customerDays})
      AND "w"."day" >= ${time(3)} AND "w"."day" < ${time(4)}
    GROUP BY "w"."merchantId", "w"."currency", "w"."userId"`),
  });
  const slides = new Map(REPORT_WINDOW_DAYS.map((days) => [days, slide(days)]));
  const foldById = folds(byId);
  const foldByTime = folds(byTime);

  type Tx = Parameters<Parameters<typeof db.$transaction>[0]>[0];
  /** Moves every window from ending on `from` (null: empty, never filled) to ending on `to`. */
  async function slideWindows(tx: Tx, from: Date | null, to: Date) {
    for (const [days, sql] of slides) {
      const next = windowRange(days, to);
      const last = from && windowRange(days, from);
      const enterFrom = last && last.to > next.from ? last.to : next.from;
      await tx.$executeRawUnsafe(sql.enter, at(enterFrom), at(next.to));
      if (!last || last.from >= next.from) continue;
      const leaveTo = last.to < next.from ? last.to : next.from;
      await tx.$executeRawUnsafe(sql.leave, at(last.from), at(leaveTo));
      await tx.$executeRawUnsafe(sql.resum, at(last.from), at(leaveTo), at(next.from), at(next.to));
    }
  }

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
      const [mark] = await tx.$queryRawUnsafe<{ paymentId: number | bigint; before: string; windowDay: string | null }[]>(
        numbered(`SELECT "paymentId", ${isoText(`"before"`)} AS "before", ${isoText(`"windowDay"`)} AS "windowDay" FROM "report_rollups" WHERE "merchantId" = $1${postgres ? " FOR UPDATE" : ""}`),
        ROLLUP_MARK_ROW,
      );
      const [last] = await tx.$queryRawUnsafe<{ id: number | bigint | null }[]>(`SELECT max("id") AS "id" FROM "payments"`);
      const from: RollupMark = { paymentId: Number(mark!.paymentId), before: new Date(mark!.before) };
      const maxId = Number(last?.id ?? 0);
      // The windows end on today's local day as soon as it begins (never moving back, as another instance's clock might).
      const windowFrom = mark!.windowDay === null ? null : new Date(mark!.windowDay);
      const windowDay = windowFrom && windowFrom >= localDayOf(now) ? windowFrom : localDayOf(now);
      if (windowDay !== windowFrom) await slideWindows(tx, windowFrom, windowDay);
      const foldWindows = async (sqls: Map<number, string>, params: unknown[]) => {
        for (const [days, sql] of sqls) {
          const range = windowRange(days, windowDay);
          await tx.$executeRawUnsafe(sql, ...params, at(range.from), at(range.to));
        }
      };
      let to = from;
      if (from.paymentId < maxId) {
        to = { paymentId: Math.min(maxId, from.paymentId + batch), before: from.before };
        const params = [from.paymentId, to.paymentId, at(from.before)];
        for (const fold of foldById) await tx.$executeRawUnsafe(fold, ...params);
        await foldWindows(byIdWindow, params);
      } else if (from.before < target) {
        to = { paymentId: from.paymentId, before: new Date(Math.min(target.getTime(), from.before.getTime() + MAX_ADVANCE_MS)) };
        const params = [at(from.before), at(to.before), from.paymentId];
        for (const fold of foldByTime) await tx.$executeRawUnsafe(fold, ...params);
        await foldWindows(byTimeWindow, params);
      } else if (windowDay === windowFrom) {
        return false;
      }
      await tx.$executeRawUnsafe(
        numbered(`UPDATE "report_rollups" SET "paymentId" = $1, "before" = ${time(2)}, "updatedAt" = ${time(3)}, "windowDay" = ${time(4)} WHERE "merchantId" = $5`),
        to.paymentId, at(to.before), at(now), at(windowDay), ROLLUP_MARK_ROW,
      );
      return to.paymentId < maxId || to.before < target;
    }, { timeout: PASS_TIMEOUT_MS });
  }

  const log = deps.log.child({ worker: "report-rollup" });
  const loop = createWorkLoop("report-rollup", pass, { sweepMs: opts.sweepMs, log, minGapMs: 200 });
  return { ...loop, get running() { return loop.running; }, pass };
}
