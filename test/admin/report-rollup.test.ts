import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReportRollup, ROLLUP_MARK_ROW } from "../../src/jobs/report-rollup.js";
import type { ReportPeriod } from "../../src/admin/admin-service.js";
import { createReports } from "../../src/admin/reports.js";
import { parsePeriod } from "../../src/admin/period.js";
import { forMerchant } from "../../src/db/merchant-scope.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2026-03-10T03:00:00Z");

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`report rollup (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    const pay = (i: number, at: number, merchantId = 1) =>
      database.db.payment.create({ data: { merchantId, provider: "bakong", providerTxnId: `r${i}`, amountMinor: 100 + i, currency: "USD", flag: "OK", source: "webhook", raw: "{}", observedAt: new Date(at) } });
    const folded = async () => {
      const [row] = await database.db.$queryRawUnsafe<{ count: bigint | number | null; sumMinor: bigint | number | null }[]>(`SELECT sum("count") AS "count", sum("sumMinor") AS "sumMinor" FROM "report_payment_hours"`);
      const mark = await database.db.reportRollup.findUnique({ where: { merchantId: ROLLUP_MARK_ROW } });
      return { count: Number(row?.count ?? 0), sumMinor: Number(row?.sumMinor ?? 0), mark };
    };

    it("folds an hour only once it closed ROLLUP_GRACE_MS ago, and each payment once when two instances run it at the same time", async () => {
      for (let i = 0; i < 30; i++) await pay(i, T0 + i * 6 * 60_000); // 03:00 to 05:54, ten an hour
      const at = (now: number) => [0, 1].map(() => createReportRollup({ database, log: silentLog, now: () => new Date(now) }, { sweepMs: 60_000, batchPayments: 7 }));
      const drain = async (rollups: ReturnType<typeof at>) => {
        for (;;) {
          const more = await Promise.all(rollups.map((r) => r.pass()));
          if (!more.some(Boolean)) return;
        }
      };
      // 05:05: the hour 04:00–05:00 closed only 5 minutes ago, so the mark stays at 04:00.
      await drain(at(T0 + 2 * HOUR + 5 * 60_000));
      let state = await folded();
      expect(state.mark!.before).toEqual(new Date(T0 + HOUR));
      expect(state).toMatchObject({ count: 10, sumMinor: Array.from({ length: 10 }, (_, i) => 100 + i).reduce((a, b) => a + b) });
      // 07:00: every hour folded, each payment once.
      await drain(at(T0 + 4 * HOUR));
      state = await folded();
      expect(state.mark!.before).toEqual(new Date(T0 + 3 * HOUR));
      expect(state).toMatchObject({ count: 30, sumMinor: Array.from({ length: 30 }, (_, i) => 100 + i).reduce((a, b) => a + b) });
      const hours = await database.db.reportPaymentHour.findMany({ orderBy: { hour: "asc" } });
      expect(hours.map((h) => [h.hour.toISOString(), h.count])).toEqual([0, 1, 2].map((h) => [new Date(T0 + h * HOUR).toISOString(), 10]));
    });

    it("keeps each merchant's hours apart: a shop's report counts its own folded and live payments only", async () => {
      const late = T0 + 10 * HOUR;
      for (let i = 0; i < 4; i++) await pay(100 + i, late + i * 60_000, 2);
      await pay(200, late, 3);
      const rollup = createReportRollup({ database, log: silentLog, now: () => new Date(late + 3 * HOUR) }, { sweepMs: 60_000 });
      while (await rollup.pass());
      const hours = await database.db.reportPaymentHour.findMany({ where: { hour: new Date(late) }, orderBy: { merchantId: "asc" } });
      expect(hours.map((h) => [h.merchantId, h.count])).toEqual([[2, 4], [3, 1]]);
      await pay(300, late + 2 * 60_000, 2); // after the fold: summed live
      const period: ReportPeriod = { from: new Date(late - HOUR), to: new Date(late + 2 * HOUR), label: "test" };
      const paidAt = async (merchantId: number) => (await createReports({ database: forMerchant(database, merchantId), currency: "USD", panelCurrency: "USD" }).report(period)).paid;
      expect(await paidAt(2)).toEqual({ count: 5, sumMinor: [200, 201, 202, 203, 400].reduce((a, b) => a + b) });
      expect(await paidAt(3)).toEqual({ count: 1, sumMinor: 300 });
      expect(await paidAt(1)).toEqual({ count: 0, sumMinor: 0 });
    });

    it("folds each customer's payments per merchant and local (Phnom Penh) day: 16:59 and 17:00 UTC are two days", async () => {
      const evening = Date.parse("2026-04-01T16:59:00Z");
      const topUpOf = async (merchantId: number, telegramId: bigint) => {
        const user = await database.db.user.create({ data: { merchantId, telegramId, username: `c${telegramId}` } });
        return database.db.topUp.create({ data: { merchantId, reference: `26040100${merchantId}${telegramId}`, userId: user.id, chatId: telegramId, provider: "bakong", currency: "USD", amountMinor: 1, panelLogin: "x", status: "CREDITED", expiresAt: new Date(evening) } });
      };
      const [a, b] = [await topUpOf(4, 901n), await topUpOf(5, 901n)];
      const paid = (i: number, topUpId: number, merchantId: number, at: number, amountMinor: number) =>
        database.db.payment.create({ data: { merchantId, provider: "bakong", providerTxnId: `d${i}`, topUpId, amountMinor, currency: "USD", flag: "OK", source: "webhook", raw: "{}", observedAt: new Date(at) } });
      await paid(1, a.id, 4, evening, 10);
      await paid(2, a.id, 4, evening + 30_000, 20);
      await paid(3, a.id, 4, evening + 60_000, 40);
      await paid(4, b.id, 5, evening + 60_000, 80);
      const rollup = createReportRollup({ database, log: silentLog, now: () => new Date(evening + 3 * HOUR) }, { sweepMs: 60_000 });
      while (await rollup.pass());
      const days = await database.db.reportCustomerDay.findMany({ where: { merchantId: { in: [4, 5] } }, orderBy: [{ merchantId: "asc" }, { day: "asc" }] });
      expect(days.map((d) => [d.merchantId, d.userId, d.day.toISOString(), d.count, Number(d.sumMinor), d.firstAt.toISOString()])).toEqual([
        [4, a.userId, "2026-03-31T17:00:00.000Z", 2, 30, "2026-04-01T16:59:00.000Z"],
        [4, a.userId, "2026-04-01T17:00:00.000Z", 1, 40, "2026-04-01T17:00:00.000Z"],
        [5, b.userId, "2026-04-01T17:00:00.000Z", 1, 80, "2026-04-01T17:00:00.000Z"],
      ]);
    });
    it("keeps each customer's 7- and 30-day totals as days enter and leave; /report 7d ranks them merged with the payments not folded yet", async () => {
      const merchantId = 6;
      const day = Date.parse("2026-05-19T17:00:00Z"); // 2026-05-20, local midnight
      const customers: { id: number; userId: number }[] = [];
      for (let i = 1; i <= 7; i++) {
        const user = await database.db.user.create({ data: { merchantId, telegramId: BigInt(950 + i), username: `w${i}` } });
        customers.push(await database.db.topUp.create({ data: { merchantId, reference: `2605200${i}`, userId: user.id, chatId: user.telegramId, provider: "bakong", currency: "USD", amountMinor: 1, panelLogin: "x", status: "CREDITED", expiresAt: new Date(day) } }));
      }
      let n = 0;
      const paid = (customer: number, at: number, amountMinor: number) =>
        database.db.payment.create({ data: { merchantId, provider: "bakong", providerTxnId: `w${n++}`, topUpId: customers[customer - 1]!.id, amountMinor, currency: "USD", flag: "OK", source: "webhook", raw: "{}", observedAt: new Date(at) } });
      const rollUpAt = async (now: number) => {
        const rollup = createReportRollup({ database, log: silentLog, now: () => new Date(now) }, { sweepMs: 60_000 });
        while (await rollup.pass());
      };
      const windows = async (userId: number) =>
        (await database.db.reportCustomerWindow.findMany({ where: { merchantId, userId }, orderBy: { days: "asc" } })).map((w) => [w.days, w.count, Number(w.sumMinor), w.firstAt.toISOString()]);
      // Customer 1 paid 100 on day -7, the first day of the 7-day window that ends on day -1, and 5 on day -2.
      await paid(1, day - 7 * DAY + 10 * HOUR, 100);
      await paid(1, day - 2 * DAY, 5);
      for (const [customer, amount] of [[2, 50], [3, 40], [4, 30], [5, 20], [7, 15], [6, 10]] as const) await paid(customer, day - 3 * DAY, amount);
      await rollUpAt(day - DAY + 12 * HOUR);
      expect(await windows(customers[0]!.userId)).toEqual([[7, 2, 105, new Date(day - 7 * DAY + 10 * HOUR).toISOString()], [30, 2, 105, new Date(day - 7 * DAY + 10 * HOUR).toISOString()]]);
      // Day 0 begins: day -7 leaves the 7-day window, and customer 1's first payment in it with it.
      const now = day + 12 * HOUR;
      await rollUpAt(now);
      expect((await database.db.reportRollup.findUnique({ where: { merchantId: ROLLUP_MARK_ROW } }))!.windowDay).toEqual(new Date(day));
      expect(await windows(customers[0]!.userId)).toEqual([[7, 1, 5, new Date(day - 2 * DAY).toISOString()], [30, 2, 105, new Date(day - 7 * DAY + 10 * HOUR).toISOString()]]);
      // Customer 6, sixth in the window, pays 100 after the fold: first, from the tail.
      await paid(6, now - 60_000, 100);
      const report = await createReports({ database: forMerchant(database, merchantId), currency: "USD", panelCurrency: "USD" }).report(parsePeriod("7d", new Date(now))!);
      expect(report.topCustomers.map((c) => [c.username, c.count, c.sumMinor])).toEqual([["w6", 2, 110], ["w2", 1, 50], ["w3", 1, 40], ["w4", 1, 30], ["w5", 1, 20]]);
      const month = await createReports({ database: forMerchant(database, merchantId), currency: "USD", panelCurrency: "USD" }).report(parsePeriod("30d", new Date(now))!);
      expect(month.topCustomers.map((c) => [c.username, c.sumMinor])).toEqual([["w6", 110], ["w1", 105], ["w2", 50], ["w3", 40], ["w4", 30]]);
    });
  });
}
