import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Currency } from "../money/money.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../ledger/states.js";
import type { ReportData, ReportPeriod } from "./admin-service.js";
import { REPORT_TIME_ZONE } from "../config/report-zone.js";
import { bucketsOf, startOfLocalDay } from "./period.js";
import { readSql } from "./read-sql.js";
import { REPORT_WINDOW_DAYS, ROLLUP_MARK_ROW, windowRange, type RollupMark } from "../jobs/report-rollup.js";

const TOP_CUSTOMERS = 5;
const DAY_MS = 86_400_000;
/** Every state a top-up can be in (src/ledger/states.ts): named, so the index serves each one's run of times. */
const STATUSES = Object.values(TopUpStatus).map((s) => `'${s}'`).join(", ");

type Total = { count: bigint; sumMinor: bigint | null };
const n = (v: bigint | number | null) => Number(v ?? 0);

/**
 * Revenue is what was paid: payment rows by the time they were observed. A top-up's state and ordered
 * amount never count as money; a payment that lands on an expired or cancelled top-up does.
 * Every total is summed by the database off indexes (migration 007) and, for payments, per closed hour (migration 010).
 */
export function createReports(deps: { database: MerchantDatabase; currency: Currency; panelCurrency: Currency }) {
  const { db } = deps.database;
  const sql = readSql(deps.database);
  const inPeriod = (p: ReportPeriod) => ({ gte: p.from, lt: p.to });

  /**
   * Reads in one snapshot with the rollup's mark (src/jobs/report-rollup.ts): its tables hold exactly the payments
   * with id ≤ paymentId observed before `before`; whatever else the period holds is summed live.
   */
  function withMark<T>(fn: (read: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>, mark: RollupMark & { windowDay: Date | null }) => Promise<T>): Promise<T> {
    return sql.snapshot(async (read) => {
      const [row] = await read<{ paymentId: number | bigint; before: string; windowDay: string | null }>(
        `SELECT "paymentId", ${sql.isoText(`"before"`)} AS "before", ${sql.isoText(`"windowDay"`)} AS "windowDay" FROM "report_rollups" WHERE "merchantId" = ?`,
        [ROLLUP_MARK_ROW],
      );
      const windowDay = row?.windowDay ? new Date(Date.parse(row.windowDay)) : null;
      return fn(read, { paymentId: Number(row?.paymentId ?? 0), before: new Date(row ? Date.parse(row.before) : 0), windowDay });
    });
  }

  /**
   * Payments per chart bucket, currency and provider: the chart, the paid total and its breakdowns fold from these.
   * Closed hours come from report_payment_hours, a few rows an hour; the payments its mark does not cover (newer
   * ids, later times) are summed live, so the figures are exact whenever the job last ran.
   * Newer ids are found by id: they are few, and the merchant or the period's bound (pushed into every branch) would
   * otherwise lead SQLite to walk all the merchant's payments, or the whole period's, off the merchant's time index.
   * A chart bucket (local hour or date) is a run of whole UTC hours (src/admin/period.ts), so each row is labelled
   * by its own time, as bucketsOf labels the buckets.
   */
  function paymentTotals(unit: "hour" | "day", period: ReportPeriod) {
    return withMark((read, mark) => {
      const liveFrom = new Date(Math.max(period.from.getTime(), mark.before.getTime()));
      return read<Total & { label: string; currency: string; provider: string }>(
        `SELECT ${sql.localLabel(unit, `"paid"."at"`)} AS "label", "paid"."currency", "paid"."provider", sum("paid"."count") AS "count", sum("paid"."sumMinor") AS "sumMinor"
         FROM (
           SELECT "hour" AS "at", "currency", "provider", "count", "sumMinor" FROM "report_payment_hours"
           WHERE "merchantId" = ? AND "hour" >= ${sql.time} AND "hour" < ${sql.time}
           UNION ALL
           SELECT ${sql.unindexed(`"observedAt"`)}, "currency", "provider", 1, "amountMinor" FROM "payments" WHERE "id" > ? AND ${sql.unindexed(`"merchantId"`)} = ?
           UNION ALL
           SELECT "observedAt", "currency", "provider", 1, "amountMinor" FROM "payments"
           WHERE "merchantId" = ? AND "id" <= ? AND "observedAt" >= ${sql.time} AND "observedAt" < ${sql.time}) AS "paid"
         WHERE "paid"."at" >= ${sql.time} AND "paid"."at" < ${sql.time}
         GROUP BY 1, 2, 3`,
        [sql.merchantId, sql.at(period.from), sql.at(period.to), mark.paymentId, sql.merchantId, sql.merchantId, mark.paymentId, sql.at(liveFrom), sql.at(period.to), sql.at(period.from), sql.at(period.to)],
      );
    });
  }

  const live = (where: string) =>
    `SELECT "t"."userId", 1, "p"."amountMinor", "p"."observedAt" FROM "payments" AS "p" JOIN "top_ups" AS "t" ON "t"."id" = "p"."topUpId" WHERE ${where} AND "p"."currency" = ?`;
  /** The period's payments with ids newer than the mark's (they are few: found by id, see paymentTotals). */
  const newer = live(`"p"."id" > ? AND ${sql.unindexed(`"p"."merchantId"`)} = ? AND ${sql.unindexed(`"p"."observedAt"`)} >= ${sql.time} AND ${sql.unindexed(`"p"."observedAt"`)} < ${sql.time}`);
  /** Payments the mark's id covers, observed in a range of times. */
  const covered = live(`"p"."merchantId" = ? AND "p"."id" <= ? AND "p"."observedAt" >= ${sql.time} AND "p"."observedAt" < ${sql.time}`);
  /** The top customers of `paid` (userId, count, sumMinor, firstAt rows), ranked by what they paid; a tie goes to who paid first. */
  const ranked = (paid: string) =>
    `SELECT "users"."telegramId", "users"."username", "users"."panelLogin", "ranked"."count", "ranked"."sumMinor"
     FROM (SELECT "userId", sum("count") AS "count", sum("sumMinor") AS "sumMinor", min("firstAt") AS "firstAt"
           FROM (${paid}) AS "paid"
           GROUP BY "userId" ORDER BY "sumMinor" DESC, "firstAt", "userId" LIMIT ${TOP_CUSTOMERS}) AS "ranked"
     JOIN "users" ON "users"."id" = "ranked"."userId"
     ORDER BY "ranked"."sumMinor" DESC, "ranked"."firstAt", "ranked"."userId"`;
  type Customer = Total & { telegramId: bigint; username: string | null; panelLogin: string | null };
  type Read = <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;

  /**
   * The period's whole local days come from report_customer_days (one row per customer and day paid); the
   * payments its mark does not cover, and those of a part day at either end of a period that does not start or
   * end at local midnight, are joined to their top-ups live.
   */
  function topCustomersByDay(read: Read, mark: RollupMark, period: ReportPeriod) {
    const t = (d: Date) => d.getTime();
    const firstDay = startOfLocalDay(period.from);
    const dayFrom = t(firstDay) === t(period.from) ? firstDay : new Date(t(firstDay) + DAY_MS);
    const dayTo = new Date(Math.max(t(dayFrom), t(startOfLocalDay(period.to))));
    const headTo = new Date(Math.min(t(dayFrom), t(period.to)));
    const tailFrom = new Date(Math.max(t(dayFrom), Math.min(t(dayTo), t(mark.before))));
    return read<Customer>(
      ranked(`SELECT "userId", "count", "sumMinor", "firstAt" FROM "report_customer_days"
              WHERE "merchantId" = ? AND "currency" = ? AND "day" >= ${sql.time} AND "day" < ${sql.time}
              UNION ALL ${newer} UNION ALL ${covered} UNION ALL ${covered}`),
      [
        sql.merchantId, deps.currency, sql.at(dayFrom), sql.at(dayTo),
        mark.paymentId, sql.merchantId, sql.at(period.from), sql.at(period.to), deps.currency,
        sql.merchantId, mark.paymentId, sql.at(period.from), sql.at(headTo), deps.currency,
        sql.merchantId, mark.paymentId, sql.at(tailFrom), sql.at(period.to), deps.currency,
      ],
    );
  }

  /**
   * A period that is one of the rollup's windows as it stands (REPORT_WINDOW_DAYS local days ending on its
   * windowDay: /report 7d and 30d once the job has run today) reads report_customer_windows, which sums the
   * customer days the mark covers: its top customers off the rank index, merged with every customer of the
   * payments the mark does not cover (the tail). Exact: a customer in neither has no tail and a window total at
   * or below the fifth's, who can only gain from the tail, so it ranks below five others. Otherwise: by day.
   */
  function topCustomers(period: ReportPeriod) {
    return withMark((read, mark) => {
      const same = (a: Date, b: Date) => a.getTime() === b.getTime();
      const windowOf = (days: number) => mark.windowDay && windowRange(days, mark.windowDay);
      const days = REPORT_WINDOW_DAYS.find((d) => { const w = windowOf(d); return w && same(w.from, period.from) && same(w.to, period.to); });
      if (days === undefined) return topCustomersByDay(read, mark, period);
      const tailFrom = new Date(Math.max(period.from.getTime(), mark.before.getTime()));
      const windowRows = `FROM "report_customer_windows" WHERE "merchantId" = ? AND "days" = ? AND "currency" = ?`;
      return read<Customer>(
        `WITH "tail"("userId", "count", "sumMinor", "firstAt") AS (${newer} UNION ALL ${covered}),
              "top" AS (SELECT "userId" ${windowRows} ORDER BY "sumMinor" DESC, "firstAt", "userId" LIMIT ${TOP_CUSTOMERS})
         ${ranked(`SELECT "userId", "count", "sumMinor", "firstAt" ${windowRows}
                   AND "userId" IN (SELECT "userId" FROM "top" UNION SELECT "userId" FROM "tail")
                   UNION ALL SELECT "userId", "count", "sumMinor", "firstAt" FROM "tail"`)}`,
        [
          mark.paymentId, sql.merchantId, sql.at(period.from), sql.at(period.to), deps.currency,
          sql.merchantId, mark.paymentId, sql.at(tailFrom), sql.at(period.to), deps.currency,
          sql.merchantId, days, deps.currency,
          sql.merchantId, days, deps.currency,
        ],
      );
    });
  }

  /** Each status's run of the (merchantId, status, createdAt) index, counted without reading a top-up (migration 014). */
  function topUpsByStatus(period: ReportPeriod) {
    return sql.rows<{ status: string; count: bigint | number }>(
      `SELECT "status", count(*) AS "count" FROM "top_ups"
       WHERE "merchantId" = ? AND "status" IN (${STATUSES}) AND "createdAt" >= ${sql.time} AND "createdAt" < ${sql.time}
       GROUP BY "status"`,
      [sql.merchantId, sql.at(period.from), sql.at(period.to)],
    );
  }

  async function report(period: ReportPeriod): Promise<ReportData> {
    const { unit, buckets } = bucketsOf(period);
    const [totals, customers, statuses, refunds, bonuses] = await Promise.all([
      paymentTotals(unit, period),
      topCustomers(period),
      topUpsByStatus(period),
      db.refund.aggregate({ where: { createdAt: inPeriod(period), currency: deps.currency }, _count: true, _sum: { amountMinor: true } }),
      db.credit.aggregate({
        where: { kind: CreditKind.BONUS, status: CreditStatus.DONE, doneAt: inPeriod(period), currency: deps.panelCurrency },
        _count: true,
        _sum: { amountMinor: true },
      }),
    ]);

    const chart = new Map(buckets.map((b) => [b.label, { label: b.label, count: 0, sumMinor: 0 }]));
    const byProvider = new Map<string, { provider: string; count: number; sumMinor: number }>();
    const others = new Map<Currency, { currency: Currency; count: number; sumMinor: number }>();
    const add = (g: { count: number; sumMinor: number }, row: Total) => {
      g.count += n(row.count);
      g.sumMinor += n(row.sumMinor);
    };
    for (const row of totals) {
      if (row.currency !== deps.currency) {
        const currency = row.currency as Currency;
        add(others.get(currency) ?? others.set(currency, { currency, count: 0, sumMinor: 0 }).get(currency)!, row);
        continue;
      }
      add(chart.get(row.label)!, row);
      add(byProvider.get(row.provider) ?? byProvider.set(row.provider, { provider: row.provider, count: 0, sumMinor: 0 }).get(row.provider)!, row);
    }
    const paid = [...byProvider.values()].reduce((s, g) => ({ count: s.count + g.count, sumMinor: s.sumMinor + g.sumMinor }), { count: 0, sumMinor: 0 });
    const refundSum = refunds._sum.amountMinor ?? 0;
    const byKey = <T>(key: (g: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));
    return {
      period,
      currency: deps.currency,
      timeZone: REPORT_TIME_ZONE,
      paid,
      byProvider: [...byProvider.values()].sort(byKey((g) => g.provider)),
      otherCurrencies: [...others.values()].sort(byKey((g) => g.currency)),
      topUpsByStatus: statuses.map((s) => ({ status: s.status, count: n(s.count) })).sort(byKey((g) => g.status)),
      refunds: { count: refunds._count, sumMinor: refundSum },
      netMinor: paid.sumMinor - refundSum,
      bonuses: { count: bonuses._count, sumMinor: bonuses._sum.amountMinor ?? 0, currency: deps.panelCurrency },
      topCustomers: customers.map((c) => ({ telegramId: BigInt(c.telegramId), username: c.username, panelLogin: c.panelLogin, count: n(c.count), sumMinor: n(c.sumMinor) })),
      chart: { unit, buckets: [...chart.values()] },
    };
  }

  return { report };
}
