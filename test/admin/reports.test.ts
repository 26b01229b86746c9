import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportData } from "../../src/admin/admin-service.js";
import { parsePeriod } from "../../src/admin/period.js";
import { axisOf, reportChartSvg } from "../../src/admin/report-chart.js";
import { createReportExport } from "../../src/admin/report-export.js";
import { createReports } from "../../src/admin/reports.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** 2026-03-10 in Phnom Penh (UTC+7) runs from 2026-03-09T17:00Z to 2026-03-10T17:00Z. */
const DAY = "2026-03-10";
const at = (localTime: string) => new Date(`${DAY}T${localTime}+07:00`);
const oneDay = parsePeriod(`${DAY}..${DAY}`)!;
const week = parsePeriod(`2026-03-04..${DAY}`)!;

async function seed(database: TestDatabase) {
  const { db } = database;
  const dara = await db.user.create({ data: { telegramId: 601n, username: "dara_kh", panelLogin: "dara" } });
  const sok = await db.user.create({ data: { telegramId: 602n, username: null, firstName: "Sok", panelLogin: "sok" } });
  let n = 0;
  async function topUp(user: number, provider: string, status: string, amountMinor: number, createdAt: Date, currency = "USD") {
    n++;
    return db.topUp.create({
      data: { reference: `2603100000${String(n).padStart(4, "0")}`, userId: user, chatId: 601n, provider, currency, amountMinor, panelLogin: "dara", status, expiresAt: createdAt, createdAt },
    });
  }
  async function pay(topUpId: number | null, provider: string, amountMinor: number, observedAt: Date, currency = "USD") {
    n++;
    return db.payment.create({ data: { provider, providerTxnId: `txn-${n}`, topUpId, amountMinor, currency, flag: "OK", source: "webhook", raw: "{}", observedAt } });
  }
  // Credited, ordered 10 and paid 10, at 09:15.
  const credited = await topUp(dara.id, "bakong", "CREDITED", 1000, at("09:00:00"));
  await pay(credited.id, "bakong", 1000, at("09:15:00"));
  // Ordered 20, underpaid 15 (held): revenue is the 15 paid.
  const held = await topUp(sok.id, "kess", "HELD", 2000, at("10:00:00"));
  await pay(held.id, "kess", 1500, at("10:05:00"));
  // Expired, then paid 5 at 23:30 local: counts as paid.
  const expiredPaid = await topUp(dara.id, "kess", "EXPIRED", 500, at("22:00:00"));
  await pay(expiredPaid.id, "kess", 500, at("23:30:00"));
  // Cancelled and expired, never paid: no revenue anywhere.
  await topUp(dara.id, "bakong", "CANCELLED", 50_000, at("11:00:00"));
  await topUp(sok.id, "raksmeypay", "EXPIRED", 30_000, at("12:00:00"));
  // Paid in riel on a USD order: held, reported apart.
  const riel = await topUp(sok.id, "bakong", "HELD", 1000, at("13:00:00"));
  await pay(riel.id, "bakong", 41_000, at("13:01:00"), "KHR");
  // The day before (local) and the day after: outside the one-day period.
  const before = await topUp(dara.id, "bakong", "CREDITED", 700, new Date("2026-03-09T16:59:59Z"));
  await pay(before.id, "bakong", 700, new Date("2026-03-09T16:59:59Z"));
  await pay(null, "bakong", 900, new Date("2026-03-10T17:00:00Z"));
  // A refund of 4 and a 0.50 bonus credited on the day.
  await db.refund.create({ data: { topUpId: credited.id, amountMinor: 400, currency: "USD", reason: "asked", adminId: 1n, providerStatus: "MANUAL", panelStatus: "DEBITED", createdAt: at("15:00:00") } });
  await db.credit.create({
    data: { topUpId: credited.id, panelLogin: "dara", amountMinor: 50, currency: "USD", memo: `KHQR ${credited.reference} 1 bonus`, kind: "bonus", status: "DONE", nextAttemptAt: at("09:16:00"), doneAt: at("09:16:00") },
  });
  return { credited, expiredPaid };
}

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`reports (${dialect.name})`, () => {
    let database: TestDatabase;
    let reports: ReturnType<typeof createReports>;
    let csvOf: (period: typeof oneDay) => Promise<string[]>;
    let seeded: Awaited<ReturnType<typeof seed>>;

    beforeAll(async () => {
      database = await dialect.fresh();
      reports = createReports({ database: forMerchant(database, DEFAULT_MERCHANT_ID), currency: "USD", panelCurrency: "USD" });
      const csv = createReportExport({ database: forMerchant(database, DEFAULT_MERCHANT_ID), panelCurrency: "USD" });
      csvOf = async (period) => {
        let text = "";
        for await (const lines of csv.reportCsv(period)) text += lines;
        return text.trimEnd().split("\n");
      };
      seeded = await seed(database);
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("counts what was paid, per provider adding up to the total; orders count nowhere as revenue", async () => {
      const r = await reports.report(oneDay);
      expect(r.paid).toEqual({ count: 3, sumMinor: 3000 });
      expect(r.byProvider).toEqual([
        { provider: "bakong", count: 1, sumMinor: 1000 },
        { provider: "kess", count: 2, sumMinor: 2000 },
      ]);
      expect(r.byProvider.reduce((s, p) => s + p.sumMinor, 0)).toBe(r.paid.sumMinor);
      expect(r.otherCurrencies).toEqual([{ currency: "KHR", count: 1, sumMinor: 41_000 }]);
      expect(r.topUpsByStatus).toEqual([
        { status: "CANCELLED", count: 1 }, { status: "CREDITED", count: 1 }, { status: "EXPIRED", count: 2 }, { status: "HELD", count: 2 },
      ]);
      expect(r.refunds).toEqual({ count: 1, sumMinor: 400 });
      expect(r.netMinor).toBe(2600);
      expect(r.bonuses).toEqual({ count: 1, sumMinor: 50, currency: "USD" });
      expect(r.topCustomers.map((c) => [c.telegramId, c.sumMinor])).toEqual([[601n, 1500], [602n, 1500]].sort((a, b) => Number(b[1]) - Number(a[1])));
      expect(r.timeZone).toBe("Asia/Phnom_Penh");
    });

    it("charts a one-day report by local hour and a longer one by local day", async () => {
      const day = await reports.report(oneDay);
      expect(day.chart.unit).toBe("hour");
      expect(day.chart.buckets.map((b) => b.label)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0")));
      expect(day.chart.buckets.filter((b) => b.sumMinor > 0)).toEqual([
        { label: "09", count: 1, sumMinor: 1000 }, { label: "10", count: 1, sumMinor: 1500 }, { label: "23", count: 1, sumMinor: 500 },
      ]);
      const days = await reports.report(week);
      expect(days.chart.unit).toBe("day");
      expect(days.chart.buckets.map((b) => b.label)).toEqual(["2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10"]);
      expect(days.chart.buckets.at(-2)).toEqual({ label: "2026-03-09", count: 1, sumMinor: 700 });
      expect(days.chart.buckets.at(-1)!.sumMinor).toBe(3000);
      expect(days.chart.buckets.reduce((s, b) => s + b.sumMinor, 0)).toBe(days.paid.sumMinor);
    });

    it("writes the CSV in the report's time zone and says which in the header", async () => {
      const csv = await csvOf(oneDay);
      expect(csv[0]).toBe(
        "reference,created_at (Asia/Phnom_Penh),provider,status,ordered_amount,currency,telegram_id,username,panel_login,paid_amount,paid_at (Asia/Phnom_Penh),provider_transaction_ids,refunded_amount,bonus_credited (USD)",
      );
      expect(csv).toHaveLength(7);
      const first = csv.find((l) => l.startsWith(seeded.credited.reference))!.split(",");
      expect(first[1]).toBe(`${DAY} 09:00:00`);
      expect(first.slice(12)).toEqual(["4.00", "0.50"]);
      expect(csv.find((l) => l.startsWith(seeded.expiredPaid.reference))!.split(",")[1]).toBe(`${DAY} 22:00:00`);
    });
  });
}

describe("report chart", () => {
  const base: Omit<ReportData, "chart" | "paid"> = {
    period: oneDay, currency: "USD", timeZone: "Asia/Phnom_Penh", byProvider: [], otherCurrencies: [], topUpsByStatus: [],
    refunds: { count: 0, sumMinor: 0 }, netMinor: 0, bonuses: { count: 0, sumMinor: 0, currency: "USD" }, topCustomers: [],
  };

  it("labels the y axis with exact amounts drawn exactly at their height", () => {
    for (const max of [1, 99, 1234, 10_000, 987_654]) {
      const { stepMinor, topMinor } = axisOf(max, "USD");
      expect(topMinor).toBeGreaterThanOrEqual(max);
      expect(topMinor % stepMinor).toBe(0);
      expect(stepMinor % 100).toBe(0);
      expect(topMinor / stepMinor).toBeLessThanOrEqual(5);
    }
    const svg = reportChartSvg({ ...base, paid: { count: 1, sumMinor: 1234 }, chart: { unit: "hour", buckets: [{ label: "09", count: 1, sumMinor: 1234 }] } });
    const ticks = [...svg.matchAll(/<text[^>]* y="([\d.]+)"[^>]*data-minor="(\d+)">([^<]+)</g)].map((m) => ({ y: Number(m[1]), minor: Number(m[2]), text: m[3] }));
    expect(ticks.map((t) => t.text)).toEqual(["0.00", "5.00", "10.00", "15.00"]);
    expect(ticks.map((t) => t.minor)).toEqual([0, 500, 1000, 1500]);
    // Evenly spaced: each label sits at value / top of the plot height.
    const gaps = ticks.slice(1).map((t, i) => ticks[i]!.y - t.y);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(0.2);
    expect(svg).toContain("Paid per hour (USD)");
  });

  it("labels riel amounts in whole riel with separators", () => {
    expect(axisOf(123_456, "KHR")).toEqual({ stepMinor: 50_000, topMinor: 150_000 });
    const svg = reportChartSvg({ ...base, currency: "KHR", paid: { count: 1, sumMinor: 123_456 }, chart: { unit: "day", buckets: [{ label: "2026-03-10", count: 1, sumMinor: 123_456 }] } });
    expect([...svg.matchAll(/data-minor="\d+">([^<]+)</g)].map((m) => m[1])).toEqual(["0", "50,000", "100,000", "150,000"]);
    expect(svg).toContain("Paid per day (KHR)");
  });
});
