import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePeriod } from "../../src/admin/period.js";
import { createPlatformReport } from "../../src/admin/platform-report.js";
import { sqlitePath } from "../../src/db/url.js";
import { dialects, type TestDatabase } from "../support/databases.js";

/** Tables that grow with every payment or customer: the operator's report reads none of them whole. */
const GROWING = ["users", "top_ups", "payments", "credits", "refunds", "audit_log", "notifications"];
const DAY_MS = 86_400_000;

/**
 * Two shops' money and a removed one's nothing: `default` (the environment's) with a USD and a KHR payment, one
 * credit done and one held, a refund; `shop-b` with a payment today, one three days ago and a credit queued.
 */
async function seed(database: TestDatabase): Promise<void> {
  const { db } = database;
  const now = new Date();
  const threeDaysAgo = new Date(now.getTime() - 3 * DAY_MS);
  const b = await db.merchant.create({ data: { name: "shop-b", botId: 7_100_000_001n, botInfo: JSON.stringify({ id: 7_100_000_001, is_bot: true, username: "shop_b_bot" }), routeKey: "route-b" } });
  await db.merchant.create({ data: { name: "gone", state: "removed" } });

  let n = 0;
  const paidTopUp = async (merchantId: number, currency: string, amountMinor: number, credit: { status: string; doneAt?: Date } | undefined, at = now) => {
    n++;
    const user = await db.user.create({ data: { merchantId, telegramId: BigInt(900 + n), panelLogin: `login${n}` } });
    const topUp = await db.topUp.create({ data: { merchantId, reference: `2612070000000${n}`, userId: user.id, chatId: BigInt(900 + n), provider: "kess", currency, amountMinor, panelLogin: `login${n}`, status: "PAID", expiresAt: at, createdAt: at } });
    const payment = await db.payment.create({ data: { merchantId, provider: "kess", providerTxnId: `txn-${n}`, topUpId: topUp.id, amountMinor, currency, flag: "OK", source: "webhook", raw: "{}", reference: topUp.reference, observedAt: at } });
    if (credit) {
      await db.credit.create({ data: { merchantId, paymentId: payment.id, topUpId: topUp.id, panelLogin: `login${n}`, amountMinor, currency: "USD", memo: `memo-${n}`, kind: "payment", status: credit.status, nextAttemptAt: at, ...(credit.doneAt ? { doneAt: credit.doneAt } : {}) } });
    }
    return topUp;
  };
  const usd = await paidTopUp(1, "USD", 1_000, { status: "DONE", doneAt: now });
  await paidTopUp(1, "KHR", 40_000, { status: "HELD" });
  await db.refund.create({ data: { merchantId: 1, topUpId: usd.id, amountMinor: 300, currency: "USD", reason: "customer asked", adminId: 1n, providerStatus: "REFUNDED", panelStatus: "TAKEN_BACK" } });
  await paidTopUp(b.id, "USD", 500, { status: "QUEUED" });
  await paidTopUp(b.id, "USD", 200, { status: "DONE", doneAt: threeDaysAgo }, threeDaysAgo);
}

/** A walk of a whole growing table: any scan but the merchants' (one row per shop), or an index searched by nothing. */
function sqliteWholeReads(plan: string[]): string[] {
  return plan.filter((step) => /^SCAN (?!m\b|merchants\b)/.test(step) || (/^SEARCH/.test(step) && !/\((merchantId|status|kind)=\?/.test(step) && !/INTEGER PRIMARY KEY/.test(step)));
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Plans?: PlanNode[];
}

/** A growing table read sequentially, or by an index without a condition on the merchant or the credit's status. */
function postgresWholeReads(node: PlanNode): string[] {
  const table = node["Relation Name"];
  const cond = node["Index Cond"] ?? node["Recheck Cond"] ?? "";
  const whole = table !== undefined && GROWING.includes(table) && !/"merchantId"|\bstatus\b|"status"/.test(cond);
  return [...(whole ? [`${node["Node Type"]} ${table}`] : []), ...(node.Plans ?? []).flatMap(postgresWholeReads)];
}

const isRead = (sql: string) => /^\s*SELECT\b/i.test(sql);

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`the operators' per-shop report (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
      await seed(database);
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("counts and sums each shop's period, what waits now and its last payment; totals add up", async () => {
      const report = await createPlatformReport(database).report(parsePeriod("today")!);
      const [env, b, gone] = report.shops;
      expect(report.shops.map((s) => [s.name, s.state, s.bot])).toEqual([["default", "active", null], ["shop-b", "active", "shop_b_bot"], ["gone", "removed", null]]);
      expect(env).toMatchObject({
        opened: 2, paid: { count: 2, sums: [{ currency: "KHR", sumMinor: 40_000 }, { currency: "USD", sumMinor: 1_000 }] }, credited: 1, held: 1, creditsPending: 0,
        refunded: { count: 1, sums: [{ currency: "USD", sumMinor: 300 }] },
      });
      expect(b).toMatchObject({ opened: 1, paid: { count: 1, sums: [{ currency: "USD", sumMinor: 500 }] }, credited: 0, held: 0, creditsPending: 1, refunded: { count: 0, sums: [] } });
      expect(gone).toMatchObject({ opened: 0, paid: { count: 0, sums: [] }, credited: 0, held: 0, creditsPending: 0, lastPaymentAt: null });
      expect(Math.abs(b!.lastPaymentAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(report.total).toMatchObject({
        opened: 3, paid: { count: 3, sums: [{ currency: "KHR", sumMinor: 40_000 }, { currency: "USD", sumMinor: 1_500 }] }, credited: 1, held: 1, creditsPending: 1,
        refunded: { count: 1, sums: [{ currency: "USD", sumMinor: 300 }] },
      });

      const week = await createPlatformReport(database).report(parsePeriod("7d")!);
      expect(week.shops[1]).toMatchObject({ opened: 2, paid: { count: 2, sums: [{ currency: "USD", sumMinor: 700 }] }, credited: 1 });
    });

    it("reads no growing table whole: every history read is a seek led by the merchant, waiting credits by their status", async () => {
      const seen = new Map<string, unknown[]>();
      const run = () => createPlatformReport(database).report(parsePeriod("30d")!);
      if (dialect.name === "sqlite") {
        const prepare = Sqlite.prototype.prepare;
        Sqlite.prototype.prepare = function (this: Sqlite.Database, sql: string) {
          if (isRead(sql)) seen.set(sql, []);
          return prepare.call(this, sql);
        } as typeof prepare;
        try {
          await run();
        } finally {
          Sqlite.prototype.prepare = prepare;
        }
        const db = new Sqlite(sqlitePath(database.url), { readonly: true });
        try {
          const whole = [...seen.keys()].flatMap((sql) => {
            const args = Array((sql.match(/\?/g) ?? []).length).fill(null);
            return sqliteWholeReads((db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail));
          });
          expect(seen.size).toBe(6);
          expect(whole).toEqual([]);
          // The check sees a walk when there is one.
          expect(sqliteWholeReads((db.prepare(`EXPLAIN QUERY PLAN SELECT "merchantId", count(*) FROM "top_ups" WHERE "createdAt" >= ? GROUP BY "merchantId"`).all(null) as { detail: string }[]).map((r) => r.detail))).not.toEqual([]);
        } finally {
          db.close();
        }
        return;
      }
      const query = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const [config, values] = args;
        const text = typeof config === "string" ? config : (config as { text?: string } | undefined)?.text;
        if (text && isRead(text)) seen.set(text, (Array.isArray(values) ? values : (config as { values?: unknown[] }).values) ?? []);
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      try {
        await run();
      } finally {
        pg.Client.prototype.query = query;
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query("SET enable_seqscan = off");
        const explain = async (text: string, values: unknown[]) =>
          postgresWholeReads((await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>({ text: `EXPLAIN (FORMAT JSON) ${text}`, values })).rows[0]!["QUERY PLAN"][0]!.Plan);
        const whole: string[] = [];
        for (const [text, values] of seen) whole.push(...(await explain(text, values)));
        expect(seen.size).toBe(6);
        expect(whole).toEqual([]);
        expect(await explain(`SELECT "merchantId", count(*) FROM "top_ups" WHERE "createdAt" >= $1 GROUP BY "merchantId"`, ["2026-01-01"])).not.toEqual([]);
      } finally {
        await client.end();
      }
    });
  });
}
