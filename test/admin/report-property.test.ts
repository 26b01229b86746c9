import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportData, ReportPeriod } from "../../src/admin/admin-service.js";
import { bucketsOf, parsePeriod } from "../../src/admin/period.js";
import { createReportExport } from "../../src/admin/report-export.js";
import { createReports } from "../../src/admin/reports.js";
import { createReportRollup, REPORT_WINDOW_DAYS, ROLLUP_MARK_ROW, windowRange } from "../../src/jobs/report-rollup.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** Histories around 2026-03-10 (Phnom Penh): some rows fall on the period's edges to the millisecond. */
const DAY_START = Date.parse("2026-03-09T17:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Rollups on the days /report 7d and 30d below end on: their customer windows (report_customer_windows) answer those. */
const WINDOW_DAYS_ENDS = [DAY_START + 20 * HOUR, DAY_START + DAY + 5 * HOUR, DAY_START + DAY + 23 * HOUR];
const PERIODS: ReportPeriod[] = [
  ...["2026-03-10..2026-03-10", "2026-03-08..2026-03-11", "2026-03-09..2026-03-09"].map((text) => parsePeriod(text)!),
  // Not from local midnight: its part days are summed live around the whole days the customer rollup holds.
  { from: new Date(DAY_START + 5 * HOUR), to: new Date(DAY_START + 29 * HOUR), label: "05:00..05:00" },
  ...["7d", "30d"].flatMap((text) => WINDOW_DAYS_ENDS.slice(0, 2).map((now) => parsePeriod(text, new Date(now))!)),
];
const EDGES = PERIODS.flatMap((p) => [p.from.getTime(), p.to.getTime(), p.to.getTime() - 1]);
// Nine days back: a 7-day window slides over days paid in, and a customer's first payment in it leaves.
const instant = fc.oneof(fc.integer({ min: DAY_START - 9 * DAY, max: DAY_START + 3 * DAY }), fc.constantFrom(...EDGES)).map((t) => new Date(t));
const rolledAt = fc.oneof(instant, fc.constantFrom(...WINDOW_DAYS_ENDS).map((t) => new Date(t)));
const currency = fc.constantFrom("USD", "USD", "KHR");

const status = fc.constantFrom("PENDING", "PAID", "CREDITED", "HELD", "EXPIRED", "REFUNDED");
const payment = fc.record({ topUp: fc.option(fc.nat(11)), provider: fc.constantFrom("bakong", "kess", "payway"), amountMinor: fc.integer({ min: 1, max: 100_000 }), currency, observedAt: instant });
const refund = fc.record({ topUp: fc.nat(11), amountMinor: fc.integer({ min: 1, max: 5_000 }), currency, createdAt: instant });
const bonus = fc.record({ topUp: fc.nat(11), amountMinor: fc.integer({ min: 1, max: 5_000 }), currency, done: fc.boolean(), doneAt: instant });

/**
 * A history, rolled up (src/jobs/report-rollup.ts) as of `rolledAt` (or never), then written to after its hours
 * closed: payments recorded since (some stamped with an old observedAt, inside hours already rolled up), refunds,
 * bonuses credited, top-ups changing state (after their hour and day were rolled up: status counts read the
 * top-ups, never a rollup); then possibly rolled up again later.
 */
const history = fc.record({
  users: fc.integer({ min: 1, max: 8 }),
  topUps: fc.array(fc.record({ user: fc.nat(7), provider: fc.constantFrom("bakong", "kess", "payway"), status, amountMinor: fc.integer({ min: 1, max: 100_000 }), createdAt: instant }), { maxLength: 12 }),
  payments: fc.array(payment, { maxLength: 16 }),
  refunds: fc.array(refund, { maxLength: 4 }),
  bonuses: fc.array(bonus, { maxLength: 5 }),
  rolledAt: fc.option(rolledAt),
  rollBatch: fc.integer({ min: 1, max: 20 }),
  late: fc.record({
    payments: fc.array(payment, { maxLength: 6 }),
    refunds: fc.array(refund, { maxLength: 2 }),
    bonuses: fc.array(bonus, { maxLength: 2 }),
    statuses: fc.array(fc.record({ topUp: fc.nat(11), status }), { maxLength: 4 }),
  }),
  rolledAgainAt: fc.option(rolledAt),
  period: fc.constantFrom(...PERIODS),
});
type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

interface Seeded {
  users: { id: number; telegramId: bigint; username: string; panelLogin: string }[];
  topUps: { id: number; reference: string; userId: number; status: string; createdAt: Date }[];
  payments: { id: number; topUpId: number | null; provider: string; amountMinor: number; currency: string; observedAt: Date }[];
  bonuses: number;
}

type Db = TestDatabase["db"];

async function addPayments(db: Db, s: Seeded, rows: History["payments"]): Promise<void> {
  const pick = (i: number | null) => (i === null || s.topUps.length === 0 ? null : s.topUps[i % s.topUps.length]!.id);
  for (const p of rows) {
    const n = s.payments.length;
    s.payments.push(await db.payment.create({ data: { provider: p.provider, providerTxnId: `t${n}`, topUpId: pick(p.topUp), amountMinor: p.amountMinor, currency: p.currency, flag: "OK", source: "webhook", raw: "{}", observedAt: p.observedAt } }));
  }
}

async function addRefundsAndBonuses(db: Db, s: Seeded, refunds: History["refunds"], bonuses: History["bonuses"]): Promise<void> {
  const pick = (i: number) => (s.topUps.length === 0 ? null : s.topUps[i % s.topUps.length]!.id);
  for (const r of refunds) {
    const topUpId = pick(r.topUp);
    if (topUpId !== null) await db.refund.create({ data: { topUpId, amountMinor: r.amountMinor, currency: r.currency, reason: "r", adminId: 1n, providerStatus: "MANUAL", panelStatus: "DEBITED", createdAt: r.createdAt } });
  }
  for (const b of bonuses) {
    await db.credit.create({
      data: { topUpId: pick(b.topUp), panelLogin: "x", amountMinor: b.amountMinor, currency: b.currency, memo: `bonus ${s.bonuses++}`, kind: "bonus", status: b.done ? "DONE" : "QUEUED", nextAttemptAt: b.doneAt, doneAt: b.done ? b.doneAt : null },
    });
  }
}

/** Rolls up everything the job would by `now`, a small batch of payments per pass. */
async function rollUp(database: TestDatabase, now: Date, batch: number): Promise<void> {
  const rollup = createReportRollup({ database, log: silentLog, now: () => now }, { sweepMs: 60_000, batchPayments: batch });
  while (await rollup.pass());
}

async function seed(database: TestDatabase, h: History): Promise<Seeded> {
  const { db } = database;
  for (const table of ["credits", "refunds", "payments", "top_ups", "users", "report_payment_hours", "report_customer_days", "report_customer_windows", "report_rollups"]) await db.$executeRawUnsafe(`DELETE FROM "${table}"`);
  const users: Awaited<ReturnType<typeof db.user.create>>[] = [];
  for (let i = 0; i < h.users; i++) users.push(await db.user.create({ data: { telegramId: BigInt(700 + i), username: `u${i}`, panelLogin: `login${i}` } }));
  const s: Seeded = { users: users.map((u) => ({ ...u, username: u.username!, panelLogin: u.panelLogin! })), topUps: [], payments: [], bonuses: 0 };
  for (const [i, t] of h.topUps.entries()) {
    const user = users[t.user % users.length]!;
    s.topUps.push(
      await db.topUp.create({
        data: { reference: `2603100000${String(i).padStart(4, "0")}`, userId: user.id, chatId: user.telegramId, provider: t.provider, currency: "USD", amountMinor: t.amountMinor, panelLogin: user.panelLogin!, status: t.status, expiresAt: t.createdAt, createdAt: t.createdAt },
      }),
    );
  }
  await addPayments(db, s, h.payments);
  await addRefundsAndBonuses(db, s, h.refunds, h.bonuses);
  if (h.rolledAt) await rollUp(database, h.rolledAt, h.rollBatch);
  await addPayments(db, s, h.late.payments);
  await addRefundsAndBonuses(db, s, h.late.refunds, h.late.bonuses);
  for (const change of h.late.statuses) {
    const topUp = s.topUps[change.topUp % Math.max(1, s.topUps.length)];
    if (!topUp) continue;
    await db.topUp.update({ where: { id: topUp.id }, data: { status: change.status } });
    topUp.status = change.status;
  }
  return s;
}

/**
 * What report_customer_windows must hold after a rollup: per window, currency and customer, the payments the
 * mark covers (id ≤ paymentId, observed before `before`) on the window's local days, their count, sum and first
 * time. Returns the window day too (null: never filled).
 */
async function windowsAsFolded(database: TestDatabase, s: Seeded) {
  const mark = await database.db.reportRollup.findUnique({ where: { merchantId: ROLLUP_MARK_ROW } });
  const windowDay = mark?.windowDay ?? null;
  const expected: string[] = [];
  for (const days of windowDay ? REPORT_WINDOW_DAYS : []) {
    const range = windowRange(days, windowDay!);
    const rows = s.payments.filter((p) => p.topUpId !== null && p.id <= mark!.paymentId && p.observedAt < mark!.before && p.observedAt >= range.from && p.observedAt < range.to);
    const byCustomer = new Map<string, { count: number; sumMinor: number; first: number }>();
    for (const p of rows) {
      const key = `${days} ${p.currency} ${s.topUps.find((t) => t.id === p.topUpId)!.userId}`;
      const g = byCustomer.get(key) ?? byCustomer.set(key, { count: 0, sumMinor: 0, first: Infinity }).get(key)!;
      g.count++;
      g.sumMinor += p.amountMinor;
      g.first = Math.min(g.first, p.observedAt.getTime());
    }
    for (const [key, g] of byCustomer) expected.push(`${key} ${g.count} ${g.sumMinor} ${new Date(g.first).toISOString()}`);
  }
  const rows = await database.db.reportCustomerWindow.findMany();
  const actual = rows.map((r) => `${r.days} ${r.currency} ${r.userId} ${r.count} ${r.sumMinor} ${r.firstAt.toISOString()}`);
  return { windowDay, expected: expected.sort(), actual: actual.sort() };
}

/** The report as plainly as it can be said: every row in memory, filtered and summed. */
function oracle(h: History, s: Seeded, period: ReportPeriod): Omit<ReportData, "period" | "timeZone"> {
  const inPeriod = (at: Date) => at >= period.from && at < period.to;
  const paidRows = s.payments.filter((p) => inPeriod(p.observedAt));
  const usd = paidRows.filter((p) => p.currency === "USD");
  const sum = (rows: { amountMinor: number }[]) => ({ count: rows.length, sumMinor: rows.reduce((t, r) => t + r.amountMinor, 0) });
  const grouped = <T>(rows: T[], key: (r: T) => string) => [...new Set(rows.map(key))].sort().map((k) => [k, rows.filter((r) => key(r) === k)] as const);
  const refunds = [...h.refunds, ...h.late.refunds].filter((r) => s.topUps.length > 0 && r.currency === "USD" && inPeriod(r.createdAt));
  const bonuses = [...h.bonuses, ...h.late.bonuses].filter((b) => b.done && b.currency === "USD" && inPeriod(b.doneAt));
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

    it("for random histories, rolled up or not and written to after their hours closed: totals, breakdowns, chart buckets, top customers (off the customer windows as they fold and slide, when a period is one); the CSV pages through every top-up in order", async () => {
      const reports = createReports({ database: forMerchant(database, DEFAULT_MERCHANT_ID), currency: "USD", panelCurrency: "USD" });
      const csv = createReportExport({ database: forMerchant(database, DEFAULT_MERCHANT_ID), panelCurrency: "USD", pageRows: 2 });
      /** Reports whose period was one of the customer windows as they stood, with a customer in it. */
      let byWindow = 0;
      const check = async (h: History, seeded: Seeded) => {
        const windows = await windowsAsFolded(database, seeded);
        expect(windows.actual).toEqual(windows.expected);
        const { period: _p, timeZone: _z, ...got } = await reports.report(h.period);
        expect(got).toEqual(oracle(h, seeded, h.period));
        const isWindow = REPORT_WINDOW_DAYS.some((days) => windows.windowDay && windowRange(days, windows.windowDay).from.getTime() === h.period.from.getTime() && windowRange(days, windows.windowDay).to.getTime() === h.period.to.getTime());
        if (isWindow && got.topCustomers.length > 0) byWindow++;
      };
      await fc.assert(
        fc.asyncProperty(history, async (h) => {
          const seeded = await seed(database, h);
          await check(h, seeded);
          if (h.rolledAgainAt) {
            await rollUp(database, h.rolledAgainAt, h.rollBatch);
            await check(h, seeded);
          }
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
      expect(byWindow).toBeGreaterThan(0);
    }, 120_000);
  });
}
