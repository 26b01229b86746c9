import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";
import type { ReportData, ReportPeriod } from "./admin-service.js";
import { bucketsOf, REPORT_TIME_ZONE } from "./period.js";
import { readSql } from "./read-sql.js";
import { ROLLUP_MARK_ROW } from "../jobs/report-rollup.js";

const TOP_CUSTOMERS = 5;

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
   * Payments per chart bucket, currency and provider: the chart, the paid total and its breakdowns fold from these.
   * Closed hours come from report_payment_hours (src/jobs/report-rollup.ts), a few rows an hour; the payments its
   * mark does not cover (newer ids, later times) are summed live, so the figures are exact whenever the job last ran.
   * Newer ids are found by id: they are few, and the period's bound (pushed into every branch) would otherwise lead
   * SQLite to walk the whole period's payments by time.
   * The mark and the hours are read in one snapshot. A chart bucket (local hour or date) is a run of whole UTC
   * hours (src/admin/period.ts), so each row is labelled by its own time, as bucketsOf labels the buckets.
   */
  async function paymentTotals(unit: "hour" | "day", period: ReportPeriod) {
    return sql.snapshot(async (read) => {
      const [mark] = await read<{ paymentId: number | bigint; before: string }>(
        `SELECT "paymentId", ${sql.isoText(`"before"`)} AS "before" FROM "report_rollups" WHERE "merchantId" = ?`,
        [ROLLUP_MARK_ROW],
      );
      const paymentId = Number(mark?.paymentId ?? 0);
      const liveFrom = new Date(Math.max(period.from.getTime(), mark ? Date.parse(mark.before) : 0));
      return read<Total & { label: string; currency: string; provider: string }>(
        `SELECT ${sql.localLabel(unit, `"paid"."at"`)} AS "label", "paid"."currency", "paid"."provider", sum("paid"."count") AS "count", sum("paid"."sumMinor") AS "sumMinor"
         FROM (
           SELECT "hour" AS "at", "currency", "provider", "count", "sumMinor" FROM "report_payment_hours"
           WHERE "merchantId" = ? AND "hour" >= ${sql.time} AND "hour" < ${sql.time}
           UNION ALL
           SELECT ${sql.unindexed(`"observedAt"`)}, "currency", "provider", 1, "amountMinor" FROM "payments" WHERE "id" > ? AND "merchantId" = ?
           UNION ALL
           SELECT "observedAt", "currency", "provider", 1, "amountMinor" FROM "payments"
           WHERE "merchantId" = ? AND "id" <= ? AND "observedAt" >= ${sql.time} AND "observedAt" < ${sql.time}) AS "paid"
         WHERE "paid"."at" >= ${sql.time} AND "paid"."at" < ${sql.time}
         GROUP BY 1, 2, 3`,
        [sql.merchantId, sql.at(period.from), sql.at(period.to), paymentId, sql.merchantId, sql.merchantId, paymentId, sql.at(liveFrom), sql.at(period.to), sql.at(period.from), sql.at(period.to)],
      );
    });
  }

  /** Ranked by what they paid; a tie goes to who paid first. */
  function topCustomers(period: ReportPeriod) {
    return sql.rows<Total & { telegramId: bigint; username: string | null; panelLogin: string | null }>(
      `SELECT "users"."telegramId", "users"."username", "users"."panelLogin", "ranked"."count", "ranked"."sumMinor"
       FROM (SELECT "top_ups"."userId", count(*) AS "count", sum("payments"."amountMinor") AS "sumMinor", min("payments"."observedAt") AS "firstAt"
             FROM "payments" JOIN "top_ups" ON "top_ups"."id" = "payments"."topUpId"
             WHERE "payments"."merchantId" = ? AND "payments"."observedAt" >= ${sql.time} AND "payments"."observedAt" < ${sql.time} AND "payments"."currency" = ?
             GROUP BY "top_ups"."userId" ORDER BY "sumMinor" DESC, "firstAt", "top_ups"."userId" LIMIT ${TOP_CUSTOMERS}) AS "ranked"
       JOIN "users" ON "users"."id" = "ranked"."userId"
       ORDER BY "ranked"."sumMinor" DESC, "ranked"."firstAt", "ranked"."userId"`,
      [sql.merchantId, sql.at(period.from), sql.at(period.to), deps.currency],
    );
  }

  async function report(period: ReportPeriod): Promise<ReportData> {
    const { unit, buckets } = bucketsOf(period);
    const [totals, customers, statuses, refunds, bonuses] = await Promise.all([
      paymentTotals(unit, period),
      topCustomers(period),
      db.topUp.groupBy({ by: ["status"], where: { createdAt: inPeriod(period) }, _count: { _all: true } }),
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
      topUpsByStatus: statuses.map((s) => ({ status: s.status, count: s._count._all })).sort(byKey((g) => g.status)),
      refunds: { count: refunds._count, sumMinor: refundSum },
      netMinor: paid.sumMinor - refundSum,
      bonuses: { count: bonuses._count, sumMinor: bonuses._sum.amountMinor ?? 0, currency: deps.panelCurrency },
      topCustomers: customers.map((c) => ({ telegramId: BigInt(c.telegramId), username: c.username, panelLogin: c.panelLogin, count: n(c.count), sumMinor: n(c.sumMinor) })),
      chart: { unit, buckets: [...chart.values()] },
    };
  }

  return { report };
}
