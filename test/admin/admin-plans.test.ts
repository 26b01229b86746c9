import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePeriod } from "../../src/admin/period.js";
import { createReportExport } from "../../src/admin/report-export.js";
import { createReports } from "../../src/admin/reports.js";
import { createLookup } from "../../src/admin/lookup.js";
import { pruneOnce } from "../../src/ledger/retention.js";
import { createReportRollup } from "../../src/jobs/report-rollup.js";
import { silentLog } from "../support/core.js";
import { sqlitePath } from "../../src/db/url.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** Tables that grow with every payment (or customer): no admin, report or prune query may read one whole. */
const GROWING = ["users", "top_ups", "payments", "credits", "refunds", "audit_log", "notifications", "key_values", "report_payment_hours", "report_customer_days", "report_customer_windows"];

async function seed(database: TestDatabase) {
  const { db } = database;
  const at = new Date();
  const user = await db.user.create({ data: { telegramId: 601n, username: "dara_kh", panelLogin: "dara" } });
  const topUp = await db.topUp.create({ data: { reference: "26031000000001", userId: user.id, chatId: 601n, provider: "bakong", currency: "USD", amountMinor: 1000, panelLogin: "dara", status: "CREDITED", expiresAt: at } });
  const payment = await db.payment.create({ data: { provider: "bakong", providerTxnId: "txn-1", topUpId: topUp.id, amountMinor: 1000, currency: "USD", flag: "OK", source: "webhook", raw: "{}", reference: topUp.reference } });
  await db.credit.create({ data: { paymentId: payment.id, topUpId: topUp.id, panelLogin: "dara", amountMinor: 1000, currency: "USD", memo: "m", kind: "payment", status: "DONE", nextAttemptAt: at, doneAt: at } });
}

/** Everything an admin or a maintenance job asks of the database, as the admin service and jobs ask it. */
async function adminQueries(database: TestDatabase): Promise<void> {
  const reports = createReports({ database: forMerchant(database, DEFAULT_MERCHANT_ID), currency: "USD", panelCurrency: "USD" });
  const csv = createReportExport({ database: forMerchant(database, DEFAULT_MERCHANT_ID), panelCurrency: "USD" });
  const lookup = createLookup({ database: forMerchant(database, DEFAULT_MERCHANT_ID) });
  // Folds newer payments by id, then moves on by time (two hours later), then slides the customer windows two
  // days on, to today: 7d and 30d read them.
  for (const hoursAgo of [48, 46, 0]) {
    const now = new Date(Date.now() - hoursAgo * 3_600_000);
    const rollup = createReportRollup({ database, log: silentLog, now: () => now }, { sweepMs: 60_000 });
    while (await rollup.pass());
  }
  for (const period of ["today", "7d", "30d", "yesterday"]) {
    await reports.report(parsePeriod(period)!);
    for await (const _ of csv.reportCsv(parsePeriod(period)!));
  }
  for (const query of ["26031000000001", "txn-1", "@dara_kh", "601", "dara", "nobody"]) await lookup.find(query);
  await lookup.pending();
  await pruneOnce(database.db, new Date(), new Date());
}

/**
 * A walk of a whole table (Prisma names it `main.table`), not of the report's bucket list, its payments of the
 * period (paid), a ranked subquery, a window's top customers and the payments its rollup has not folded (top,
 * tail) or the rollup's list of merchants with payments (one index step each).
 */
const WHOLE_TABLE = new RegExp(`^SCAN (main\\.)?(${GROWING.join("|")})\\b|^SCAN (?!bucket\\b|paid\\b|ranked\\b|sub\\b|top\\b|tail\\b|merchant_ids\\b|json_each|\\(subquery|CONSTANT ROW|\\d+ CONSTANT ROWS)`);
/**
 * An index on states then the time something happened, searched by the states alone, walks every row ever in
 * that state: the bonus total once walked every DONE credit that way. (Queue indexes end in a due time instead:
 * their states hold only what is waiting.)
 */
function walksHistory(step: string): boolean {
  const used = /USING (?:COVERING )?INDEX \w+_(doneAt|sentAt|observedAt|createdAt)_idx \(([^)]*)\)$/.exec(step);
  // An index searched by the merchant (and a currency) alone reads the merchant's whole history (/find once did,
  // for every query; the rollup's customer windows could, off the customers' days by customer).
  return (used !== null && /^((kind|status|merchantId)=\? AND )*(kind|status|merchantId)=\?$/.test(used[2]!)) || /USING (?:COVERING )?INDEX \w+ \(merchantId=\?(?: AND currency=\?)?\)$/.test(step);
}

/** Prisma writes `in: []` as `WHERE 1=0`, which reads nothing whatever the plan. */
const isQuery = (sql: string) => (/^\s*(WITH|SELECT|UPDATE|DELETE)\b/i.test(sql) || /^\s*INSERT\b[\s\S]*\bSELECT\b/i.test(sql)) && !/WHERE \(?1=0\b/.test(sql);

describe("every admin, report and prune query is served by an index (SQLite)", () => {
  const sqlite = dialects.find((d) => d.name === "sqlite")!;
  let database: TestDatabase;
  beforeAll(async () => {
    database = await sqlite.fresh();
    await seed(database);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("no plan scans a growing table", async () => {
    const seen = new Set<string>();
    const prepare = Sqlite.prototype.prepare;
    Sqlite.prototype.prepare = function (this: Sqlite.Database, sql: string) {
      if (isQuery(sql)) seen.add(sql);
      return prepare.call(this, sql);
    } as typeof prepare;
    try {
      await adminQueries(database);
    } finally {
      Sqlite.prototype.prepare = prepare;
    }
    expect(seen.size).toBeGreaterThan(15);
    const db = new Sqlite(sqlitePath(database.url), { readonly: true });
    try {
      const scans = [...seen].flatMap((sql) => {
        const args = Array((sql.match(/\?/g) ?? []).length).fill(null);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
        return plan.filter((step) => WHOLE_TABLE.test(step) || walksHistory(step)).map((step) => `${step}  ←  ${sql.replace(/\s+/g, " ").slice(0, 120)}`);
      });
      expect(scans).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("the check sees a scan when one is there", () => {
    const db = new Sqlite(sqlitePath(database.url), { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM "payments" WHERE "payer" = ?`).all(null) as { detail: string }[]).map((r) => r.detail);
      expect(plan).toContainEqual(expect.stringMatching(/^SCAN payments\b/));
      const walk = (db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM "credits" WHERE "kind" = ? AND "status" = ? AND "merchantId" = ?`).all(null, null, null) as { detail: string }[]).map((r) => r.detail);
      expect(walk.filter(walksHistory)).toHaveLength(1);
      const merchantOnly = (db.prepare(`EXPLAIN QUERY PLAN SELECT "id" FROM "payments" WHERE "merchantId" = ? AND ("providerTxnId" = ? OR "reference" = ?)`).all(null, null, null) as { detail: string }[]).map((r) => r.detail);
      expect(merchantOnly.filter(walksHistory)).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

/**
 * Sequential scans of growing tables, and index scans that walk a whole index: no condition, or one on a
 * later column only (PostgreSQL will filter a multi-column index on its second column, reading all of it).
 */
function wholeReads(node: PlanNode, leading: Map<string, string | null>): string[] {
  const table = node["Relation Name"] ?? "";
  const index = node["Index Name"];
  const first = index === undefined ? undefined : leading.get(index);
  const cond = node["Index Cond"];
  const whole =
    GROWING.includes(table) &&
    (node["Node Type"] === "Seq Scan" || (index !== undefined && (!cond || (first !== null && first !== undefined && !cond.includes(`"${first}"`) && !cond.includes(`(${first} `)))));
  return [...(whole ? [`${node["Node Type"]} ${table}${index ? ` (${index})` : ""}`] : []), ...(node.Plans ?? []).flatMap((p) => wholeReads(p, leading))];
}

const postgres = dialects.find((d) => d.name === "postgres")!;
describe.skipIf(!postgres.enabled)("every admin, report and prune query is served by an index (PostgreSQL)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await postgres.fresh();
    await seed(database);
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** With sequential scans priced out, a plan that still has one has no index to use instead. */
  async function explain(client: pg.Client, text: string, values: unknown[]): Promise<string[]> {
    const { rows } = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
    // Each index's first column (null: an expression).
    const indexes = await client.query<{ index: string; first: string | null }>(
      `SELECT c.relname AS "index", a.attname AS "first" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE c.relnamespace = 'public'::regnamespace`,
    );
    return wholeReads(rows[0]!["QUERY PLAN"][0]!.Plan, new Map(indexes.rows.map((r) => [r.index, r.first])));
  }

  it("no plan has a sequential scan of a growing table where an index could serve", async () => {
    const seen = new Map<string, unknown[]>();
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [config, values] = args;
      const text = typeof config === "string" ? config : (config as { text?: string } | undefined)?.text;
      if (text && isQuery(text)) seen.set(text, (Array.isArray(values) ? values : (config as { values?: unknown[] }).values) ?? []);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      await adminQueries(database);
    } finally {
      pg.Client.prototype.query = query;
    }
    expect(seen.size).toBeGreaterThan(15);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("SET enable_seqscan = off");
      const scans: string[] = [];
      for (const [text, values] of seen) for (const table of await explain(client, text, values)) scans.push(`${table}  ←  ${text.replace(/\s+/g, " ").slice(0, 120)}`);
      expect(scans).toEqual([]);
      expect(await explain(client, `SELECT * FROM "payments" WHERE "payer" = $1`, ["x"])).toEqual(["Seq Scan payments"]);
      expect(await explain(client, `SELECT * FROM "payments" WHERE "merchantId" = $1 AND "provider" = ANY($2) AND "providerTxnId" = $3 AND "id" > 0`, [1, ["bakong", "kess"], "x"])).toEqual([]);
      // A shop's history is read off an index led by the merchant.
      expect(await explain(client, `SELECT count(*) FROM "top_ups" WHERE "merchantId" = $1 AND "createdAt" >= $2`, [1, "2026-01-01"])).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
