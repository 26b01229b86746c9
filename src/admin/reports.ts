import type { Database } from "../db/database.js";
import { decimalString, type Currency } from "../money/money.js";
import { CreditKind } from "../ledger/states.js";
import type { ReportData, ReportPeriod } from "./admin-service.js";
import { bucketsOf, localDateTime, REPORT_TIME_ZONE } from "./period.js";

const TOP_CUSTOMERS = 5;
const DONE = "DONE";

function csvField(value: string | number | bigint | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string, amountOf: (item: T) => number) {
  const groups = new Map<string, { key: string; count: number; sumMinor: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const g = groups.get(key) ?? { key, count: 0, sumMinor: 0 };
    g.count++;
    g.sumMinor += amountOf(item);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Revenue is what was paid: payment rows by the time they were observed. A top-up's state and ordered
 * amount never count as money; a payment that lands on an expired or cancelled top-up does.
 */
export function createReports(deps: { database: Database; currency: Currency; panelCurrency: Currency }) {
  const { db } = deps.database;
  const inPeriod = (p: ReportPeriod) => ({ gte: p.from, lt: p.to });

  async function report(period: ReportPeriod): Promise<ReportData> {
    const allPayments = await db.payment.findMany({
      where: { observedAt: inPeriod(period) },
      select: { provider: true, amountMinor: true, currency: true, observedAt: true, topUp: { select: { user: { select: { telegramId: true, username: true, panelLogin: true } } } } },
    });
    const payments = allPayments.filter((p) => p.currency === deps.currency);
    const others = allPayments.filter((p) => p.currency !== deps.currency);

    const buckets = bucketsOf(period);
    const chart = new Map(buckets.labels.map((label) => [label, { label, count: 0, sumMinor: 0 }]));
    const customers = new Map<bigint, ReportData["topCustomers"][number]>();
    for (const p of payments) {
      const bucket = chart.get(buckets.labelOf(p.observedAt));
      if (bucket) {
        bucket.count++;
        bucket.sumMinor += p.amountMinor;
      }
      const user = p.topUp?.user;
      if (!user) continue;
      const c = customers.get(user.telegramId) ?? { telegramId: user.telegramId, username: user.username, panelLogin: user.panelLogin, count: 0, sumMinor: 0 };
      c.count++;
      c.sumMinor += p.amountMinor;
      customers.set(user.telegramId, c);
    }

    const statuses = await db.topUp.groupBy({ by: ["status"], where: { createdAt: inPeriod(period) }, _count: { _all: true } });
    const refunds = await db.refund.aggregate({ where: { createdAt: inPeriod(period), currency: deps.currency }, _count: true, _sum: { amountMinor: true } });
    const bonuses = await db.credit.aggregate({
      where: { kind: CreditKind.BONUS, status: DONE, doneAt: inPeriod(period), currency: deps.panelCurrency },
      _count: true,
      _sum: { amountMinor: true },
    });
    const paidSum = payments.reduce((s, p) => s + p.amountMinor, 0);
    const refundSum = refunds._sum.amountMinor ?? 0;
    return {
      period,
      currency: deps.currency,
      timeZone: REPORT_TIME_ZONE,
      paid: { count: payments.length, sumMinor: paidSum },
      byProvider: countBy(payments, (p) => p.provider, (p) => p.amountMinor).map(({ key, ...g }) => ({ provider: key, ...g })),
      otherCurrencies: countBy(others, (p) => p.currency, (p) => p.amountMinor).map(({ key, ...g }) => ({ currency: key as Currency, ...g })),
      topUpsByStatus: statuses.map((s) => ({ status: s.status, count: s._count._all })).sort((a, b) => a.status.localeCompare(b.status)),
      refunds: { count: refunds._count, sumMinor: refundSum },
      netMinor: paidSum - refundSum,
      bonuses: { count: bonuses._count, sumMinor: bonuses._sum.amountMinor ?? 0, currency: deps.panelCurrency },
      topCustomers: [...customers.values()].sort((a, b) => b.sumMinor - a.sumMinor).slice(0, TOP_CUSTOMERS),
      chart: { unit: buckets.unit, buckets: [...chart.values()] },
    };
  }

  /** One row per top-up created in the period; times in the report time zone, named in the header. */
  async function reportCsv(period: ReportPeriod): Promise<string> {
    const rows = await db.topUp.findMany({
      where: { createdAt: inPeriod(period) },
      orderBy: { createdAt: "asc" },
      include: { user: true, payments: true, refunds: true },
    });
    const bonusRows = await db.credit.findMany({ where: { kind: CreditKind.BONUS, status: DONE, topUpId: { in: rows.map((t) => t.id) } }, select: { topUpId: true, amountMinor: true } });
    const bonusOf = new Map<number, number>();
    for (const b of bonusRows) bonusOf.set(b.topUpId!, (bonusOf.get(b.topUpId!) ?? 0) + b.amountMinor);
    const zone = `(${REPORT_TIME_ZONE})`;
    const header = [
      "reference", `created_at ${zone}`, "provider", "status", "ordered_amount", "currency", "telegram_id", "username", "panel_login", "paid_amount", `paid_at ${zone}`,
      "provider_transaction_ids", "refunded_amount", `bonus_credited (${deps.panelCurrency})`,
    ];
    const lines = rows.map((t) => {
      const currency = t.currency as Currency;
      const paid = t.payments.filter((p) => p.currency === t.currency).reduce((s, p) => s + p.amountMinor, 0);
      const refunded = t.refunds.reduce((s, r) => s + r.amountMinor, 0);
      const bonus = bonusOf.get(t.id);
      return [
        t.reference, localDateTime(t.createdAt), t.provider, t.status, decimalString(t.amountMinor, currency), currency, t.user.telegramId,
        t.user.username, t.panelLogin, t.payments.length ? decimalString(paid, currency) : "", t.paidAt ? localDateTime(t.paidAt) : "",
        t.payments.map((p) => p.providerTxnId).join(" "), refunded ? decimalString(refunded, currency) : "", bonus ? decimalString(bonus, deps.panelCurrency) : "",
      ].map(csvField).join(",");
    });
    return [header.map(csvField).join(","), ...lines].join("\n") + "\n";
  }

  return { report, reportCsv };
}
