import type { Database } from "../db/database.js";
import { decimalString, type Currency } from "../payments/money.js";
import type { ReportData, ReportPeriod } from "./admin-service.js";
import { datesOf, localDate } from "./period.js";

const TOP_CUSTOMERS = 5;

function csvField(value: string | number | bigint | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function createReports(deps: { database: Database; currency: Currency }) {
  const { db } = deps.database;
  const inPeriod = (p: ReportPeriod) => ({ gte: p.from, lt: p.to });

  async function report(period: ReportPeriod): Promise<ReportData> {
    const topUps = await db.topUp.findMany({ where: { createdAt: inPeriod(period) }, select: { provider: true, status: true, amountMinor: true } });
    const groups = new Map<string, { provider: string; status: string; count: number; sumMinor: number }>();
    for (const t of topUps) {
      const key = `${t.provider}/${t.status}`;
      const g = groups.get(key) ?? { provider: t.provider, status: t.status, count: 0, sumMinor: 0 };
      g.count++;
      g.sumMinor += t.amountMinor;
      groups.set(key, g);
    }

    const payments = await db.payment.findMany({
      where: { observedAt: inPeriod(period), currency: deps.currency },
      select: { amountMinor: true, observedAt: true, topUp: { select: { user: { select: { telegramId: true, username: true, panelLogin: true } } } } },
    });
    const daily = new Map(datesOf(period).map((d) => [d, { date: d, count: 0, sumMinor: 0 }]));
    const customers = new Map<bigint, ReportData["topCustomers"][number]>();
    for (const p of payments) {
      const day = daily.get(localDate(p.observedAt));
      if (day) {
        day.count++;
        day.sumMinor += p.amountMinor;
      }
      const user = p.topUp?.user;
      if (!user) continue;
      const c = customers.get(user.telegramId) ?? { telegramId: user.telegramId, username: user.username, panelLogin: user.panelLogin, count: 0, sumMinor: 0 };
      c.count++;
      c.sumMinor += p.amountMinor;
      customers.set(user.telegramId, c);
    }

    const refunds = await db.refund.aggregate({ where: { createdAt: inPeriod(period), currency: deps.currency }, _count: true, _sum: { amountMinor: true } });
    const paidSum = payments.reduce((s, p) => s + p.amountMinor, 0);
    const refundSum = refunds._sum.amountMinor ?? 0;
    return {
      period,
      currency: deps.currency,
      byProviderAndStatus: [...groups.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.status.localeCompare(b.status)),
      paid: { count: payments.length, sumMinor: paidSum },
      refunds: { count: refunds._count, sumMinor: refundSum },
      netMinor: paidSum - refundSum,
      topCustomers: [...customers.values()].sort((a, b) => b.sumMinor - a.sumMinor).slice(0, TOP_CUSTOMERS),
      daily: [...daily.values()],
    };
  }

  /** One row per top-up created in the period. */
  async function reportCsv(period: ReportPeriod): Promise<string> {
    const rows = await db.topUp.findMany({
      where: { createdAt: inPeriod(period) },
      orderBy: { createdAt: "asc" },
      include: { user: true, payments: true, refunds: true },
    });
    const header = ["reference", "created_at", "provider", "status", "amount", "currency", "telegram_id", "username", "panel_login", "paid_amount", "paid_at", "provider_transaction_ids", "refunded_amount"];
    const lines = rows.map((t) => {
      const currency = t.currency as Currency;
      const paid = t.payments.reduce((s, p) => s + p.amountMinor, 0);
      const refunded = t.refunds.reduce((s, r) => s + r.amountMinor, 0);
      return [
        t.reference, t.createdAt.toISOString(), t.provider, t.status, decimalString(t.amountMinor, currency), currency, t.user.telegramId,
        t.user.username, t.panelLogin, t.payments.length ? decimalString(paid, currency) : "", t.paidAt?.toISOString(),
        t.payments.map((p) => p.providerTxnId).join(" "), refunded ? decimalString(refunded, currency) : "",
      ].map(csvField).join(",");
    });
    return [header.join(","), ...lines].join("\n") + "\n";
  }

  return { report, reportCsv };
}
