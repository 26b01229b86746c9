import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportData, ReportPeriod } from "../../src/admin/admin-service.js";
import { bucketsOf, parsePeriod } from "../../src/admin/period.js";
import { createReportExport } from "../../src/admin/report-export.js";
import { createReports } from "../../src/admin/reports.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** Histories around 2026-03-10 (Phnom Penh): some rows fall on the period's edges to the millisecond. */
const DAY_START = Date.parse("2026-03-09T17:00:00Z");
const HOUR = 3_600_000;
const PERIODS = ["2026-03-10..2026-03-10", "2026-03-08..2026-03-11", "2026-03-09..2026-03-09"].map((text) => parsePeriod(text)!);
const EDGES = PERIODS.flatMap((p) => [p.from.getTime(), p.to.getTime(), p.to.getTime() - 1]);
const instant = fc.oneof(fc.integer({ min: DAY_START - 3 * 24 * HOUR, max: DAY_START + 3 * 24 * HOUR }), fc.constantFrom(...EDGES)).map((t) => new Date(t));
const currency = fc.constantFrom("USD", "USD", "KHR");

const history = fc.record({
  users: fc.integer({ min: 1, max: 4 }),
  topUps: fc.array(fc.record({ user: fc.nat(3), provider: fc.constantFrom("bakong", "kess", "payway"), status: fc.constantFrom("PENDING", "CREDITED", "HELD", "EXPIRED"), amountMinor: fc.integer({ min: 1, max: 100_000 }), createdAt: instant }), { maxLength: 12 }),
  payments: fc.array(fc.record({ topUp: fc.option(fc.nat(11)), provider: fc.constantFrom("bakong", "kess", "payway"), amountMinor: fc.integer({ min: 1, max: 100_000 }), currency, observedAt: instant }), { maxLength: 16 }),
  refunds: fc.array(fc.record({ topUp: fc.nat(11), amountMinor: fc.integer({ min: 1, max: 5_000 }), currency, createdAt: instant }), { maxLength: 4 }),
  bonuses: fc.array(fc.record({ topUp: fc.nat(11), amountMinor: fc.integer({ min: 1, max: 5_000 }), currency, done: fc.boolean(), doneAt: instant }), { maxLength: 5 }),
  period: fc.constantFrom(...PERIODS),
});
type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

interface Seeded {
  users: { id: number; telegramId: bigint; username: string; panelLogin: string }[];
  topUps: { id: number; reference: string; userId: number; status: string; createdAt: Date }[];
  payments: { id: number; topUpId: number | null; provider: string; amountMinor: number; currency: string; observedAt: Date }[];
}

async function seed(database: TestDatabase, h: History): Promise<Seeded> {
  const { db } = database;
  for (const table of ["credits", "refunds", "payments", "top_ups", "users"]) await db.$executeRawUnsafe(`DELETE FROM "${table}"`);
  const users: Awaited<ReturnType<typeof db.user.create>>[] = [];
  for (let i = 0; i < h.users; i++) users.push(await db.user.create({ data: { telegramId: BigInt(700 + i), username: `u${i}`, panelLogin: `login${i}` } }));
  const topUps: Seeded["topUps"] = [];
  for (const [i, t] of h.topUps.entries()) {
    const user = users[t.user % users.length]!;
    topUps.push(
      await db.topUp.create({
        data: { reference: `2603100000${String(i).padStart(4, "0")}`, userId: user.id, chatId: user.telegramId, provider: t.provider, currency: "USD", amountMinor: t.amountMinor, panelLogin: user.panelLogin!, status: t.status, expiresAt: t.createdAt, createdAt: t.createdAt },
      }),
    );
  }
  const pick = (i: number | null) => (i === null || topUps.length === 0 ? null : topUps[i % topUps.length]!.id);
  const payments: Seeded["payments"] = [];
  for (const [i, p] of h.payments.entries()) {
    payments.push(await db.payment.create({ data: { provider: p.provider, providerTxnId: `t${i}`, topUpId: pick(p.topUp), amountMinor: p.amountMinor, currency: p.currency, flag: "OK", source: "webhook", raw: "{}", observedAt: p.observedAt } }));
  }
  for (const r of h.refunds) {
    const topUpId = pick(r.topUp);
    if (topUpId !== null) await db.refund.create({ data: { topUpId, amountMinor: r.amountMinor, currency: r.currency, reason: "r", adminId: 1n, providerStatus: "MANUAL", panelStatus: "DEBITED", createdAt: r.createdAt } });
  }
  for (const [i, b] of h.bonuses.entries()) {
    await db.credit.create({
      data: { topUpId: pick(b.topUp), panelLogin: "x", amountMinor: b.amountMinor, currency: b.currency, memo: `bonus ${i}`, kind: "bonus", status: b.done ? "DONE" : "QUEUED", nextAttemptAt: b.doneAt, doneAt: b.done ? b.doneAt : null },
    });
  }
  return { users: users.map((u) => ({ ...u, username: u.username!, panelLogin: u.panelLogin! })), topUps, payments };
}

/** The report as plainly as it can be said: every row in memory, filtered and summed. */
function oracle(h: History, s: Seeded, period: ReportPeriod): Omit<ReportData, "period" | "timeZone"> {
  const inPeriod = (at: Date) => at >= period.from && at < period.to;
  const paidRows = s.payments.filter((p) => inPeriod(p.observedAt));
  const usd = paidRows.filter((p) => p.currency === "USD");
  const sum = (rows: { amountMinor: number }[]) => ({ count: rows.length, sumMinor: rows.reduce((t, r) => t + r.amountMinor, 0) });
  const grouped = <T>(rows: T[], key: (r: T) => string) => [...new Set(rows.map(key))].sort().map((k) => [k, rows.filter((r) => key(r) === k)] as const);
  const refunds = h.refunds.filter((r) => s.topUps.length > 0 && r.currency === "USD" && inPeriod(r.createdAt));
  const bonuses = h.bonuses.filter((b) => b.done && b.currency === "USD" && inPeriod(b.doneAt));
  const { unit, buckets, labelOf } = bucketsOf(period);
  const customers = grouped(usd.filter((p) => p.topUpId !== null), (p) => String(s.topUps.find((t) => t.id === p.topUpId)!.userId))
    .map(([userId, rows]) => ({ user: s.users.find((u) => u.id === Number(userId))!, first: Math.min(...rows.map((r) => r.observedAt.getTime())), ...sum(rows) }))
    .sort((a, b) => b.sumMinor - a.sumMinor || a.first - b.first || a.user.id - b.user.id)
    .slice(0, 5);
  return {
    currency: "USD",
    paid: sum(usd),
    byProvider: grouped(usd, (p) => p.provider).map(([provider, rows]) => ({ provider, ...sum(rows) })),
    otherCurrencies: grouped(paidRows.filter((p) => p.currency !== "USD"), (p) => p.currency).map(([c, rows]) => ({ currency: c as "KHR", ...sum(rows) })),
    topUpsByStatus: grouped(s.topUps.filter((t) => inPeriod(t.createdAt)), (t) => t.status).map(([status, rows]) => ({ status, count: rows.length })),
    refunds: sum(refunds),
    netMinor: sum(usd).sumMinor - sum(refunds).sumMinor,
    bonuses: { ...sum(bonuses), currency: "USD" },
    topCustomers: customers.map((c) => ({ telegramId: c.user.telegramId, username: c.user.username, panelLogin: c.user.panelLogin, count: c.count, sumMinor: c.sumMinor })),
    chart: { unit, buckets: buckets.map((b) => ({ label: b.label, ...sum(usd.filter((p) => labelOf(p.observedAt) === b.label)) })) },
  };
}

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`reports summed by the database equal the plain in-memory totals (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("for random histories: totals, breakdowns, chart buckets, top customers; the CSV pages through every top-up in order", async () => {
      const reports = createReports({ database: forMerchant(database, DEFAULT_MERCHANT_ID), currency: "USD", panelCurrency: "USD" });
      const csv = createReportExport({ database: forMerchant(database, DEFAULT_MERCHANT_ID), panelCurrency: "USD", pageRows: 2 });
      await fc.assert(
        fc.asyncProperty(history, async (h) => {
          const seeded = await seed(database, h);
          const { period: _p, timeZone: _z, ...got } = await reports.report(h.period);
          expect(got).toEqual(oracle(h, seeded, h.period));
          let text = "";
          for await (const lines of csv.reportCsv(h.period)) text += lines;
          const expected = seeded.topUps
            .filter((t) => t.createdAt >= h.period.from && t.createdAt < h.period.to)
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)
            .map((t) => t.reference);
          expect(text.trimEnd().split("\n").slice(1).map((l) => l.split(",")[0])).toEqual(expected);
        }),
        { numRuns: dialect.name === "sqlite" ? 40 : 20 },
      );
    }, 120_000);
  });
}
