import pg from "pg";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReports } from "../../src/admin/reports.js";
import { parsePeriod } from "../../src/admin/period.js";
import { forMerchant } from "../../src/db/merchant-scope.js";
import { openLedgerDatabase, type LedgerDatabase } from "../../src/ledger/hot-path.js";
import { createPostgresDatabase, POSTGRES_ADMIN_URL, postgresAvailable } from "../support/databases.js";

/** The money tables row-level security binds (migration 012). */
const MONEY_TABLES = ["users", "top_ups", "payments", "credits", "refunds", "audit_log", "notifications"];

/**
 * PostgreSQL enforces the merchant on the money tables for any role that is not a superuser (superusers bypass
 * row-level security, so the test makes an ordinary role and connects as it): without a merchant set a query sees
 * nothing; with merchant A set, only A's rows, and it cannot write B's; the application's pool (app.scope = all)
 * serves every merchant under the same role.
 */
describe.runIf(postgresAvailable)("row-level security on the money tables (PostgreSQL)", () => {
  const role = `khqr_app_${randomBytes(4).toString("hex")}`;
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let roleUrl: string;
  let asRole: pg.Client;

  async function asSuperuser<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await run(c);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    created = await createPostgresDatabase();
    // Migrates as the superuser, then seeds one customer, top-up, payment, credit, refund, audit and note per merchant.
    const owner = await openLedgerDatabase(created.url);
    for (const merchantId of [1, 2]) {
      const { db } = forMerchant(owner, merchantId);
      const user = await db.user.create({ data: { telegramId: 700n, panelLogin: "dara" } });
      const topUp = await db.topUp.create({ data: { reference: `2603100000000${merchantId}`, userId: user.id, chatId: 700n, provider: "bakong", currency: "USD", amountMinor: 1000 * merchantId, panelLogin: "dara", status: "CREDITED", expiresAt: new Date() } });
      const payment = await db.payment.create({ data: { provider: "bakong", providerTxnId: "same-txn", topUpId: topUp.id, amountMinor: 1000 * merchantId, currency: "USD", flag: "OK", source: "webhook", raw: "{}" } });
      await db.credit.create({ data: { paymentId: payment.id, topUpId: topUp.id, panelLogin: "dara", amountMinor: 1000 * merchantId, currency: "USD", memo: `m-${merchantId}`, kind: "payment", status: "DONE", nextAttemptAt: new Date() } });
      await db.refund.create({ data: { topUpId: topUp.id, amountMinor: 1, currency: "USD", reason: "r", adminId: 1n, providerStatus: "MANUAL", panelStatus: "NOT_CREDITED" } });
      await db.auditLog.create({ data: { actorId: 1n, action: "refund", subject: topUp.reference, details: "{}" } });
      await db.notification.create({ data: { dedupeKey: "k@700", chatId: 700n, kind: "topup.credited", payload: "{}", status: "QUEUED", nextAttemptAt: new Date() } });
    }
    await owner.close();
    await asSuperuser(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS`));
    await asSuperuser(created.url, async (c) => {
      await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      await c.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    });
    const url = new URL(created.url);
    url.username = role;
    roleUrl = url.toString();
    asRole = new pg.Client({ connectionString: roleUrl });
    await asRole.connect();
  });
  afterAll(async () => {
    await asRole?.end();
    await created?.dropDatabase();
    await asSuperuser(POSTGRES_ADMIN_URL, (c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  });

  const merchantsIn = async (table: string) =>
    (await asRole.query<{ merchantId: number }>(`SELECT "merchantId" FROM "${table}" ORDER BY "merchantId"`)).rows.map((r) => r.merchantId);

  it("every money table is forced under the policy", async () => {
    const { rows } = await asRole.query<{ relname: string; forced: boolean; enabled: boolean }>(
      `SELECT relname, relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class WHERE relname = ANY($1) ORDER BY relname`, [MONEY_TABLES],
    );
    expect(rows).toEqual([...MONEY_TABLES].sort().map((relname) => ({ relname, enabled: true, forced: true })));
  });

  it("a query without the merchant set sees no rows of any money table", async () => {
    for (const table of MONEY_TABLES) expect(await merchantsIn(table), table).toEqual([]);
  });

  it("with merchant 1 set (SET LOCAL, one transaction) it sees only merchant 1's rows; after the transaction, none again", async () => {
    await asRole.query("BEGIN");
    await asRole.query("SET LOCAL app.merchant_id = '1'");
    for (const table of MONEY_TABLES) expect(await merchantsIn(table), table).toEqual([1]);
    const { rows } = await asRole.query<{ sum: string }>(`SELECT sum("amountMinor")::text AS "sum" FROM "payments" WHERE "providerTxnId" = 'same-txn'`);
    expect(rows[0]!.sum).toBe("1000");
    await asRole.query("COMMIT");
    // The setting reads '' once its transaction ended: still no merchant, still no rows (and no cast error).
    for (const table of MONEY_TABLES) expect(await merchantsIn(table), table).toEqual([]);
  });

  it("with merchant 1 set it cannot write a row of merchant 2's, nor change merchant 2's rows", async () => {
    await asRole.query("BEGIN");
    await asRole.query("SET LOCAL app.merchant_id = '1'");
    await expect(
      asRole.query(`INSERT INTO "notifications" ("merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "nextAttemptAt") VALUES (2, 'x', 1, 'admin.notice', '{}', 'QUEUED', now())`),
    ).rejects.toThrow(/row-level security/);
    await asRole.query("ROLLBACK");
    await asRole.query("BEGIN");
    await asRole.query("SET LOCAL app.merchant_id = '1'");
    const changed = await asRole.query(`UPDATE "credits" SET "status" = 'HELD' WHERE "memo" = 'm-2'`);
    expect(changed.rowCount).toBe(0);
    await asRole.query("ROLLBACK");
  });

  it("the report's customer windows (migration 015) are forced under the same policy: a merchant sees its own customers' totals only", async () => {
    await asSuperuser(created.url, (c) => c.query(`INSERT INTO "report_customer_windows" VALUES (1, 7, 'USD', 1, 1, 1000, now()), (2, 7, 'USD', 2, 1, 2000, now())`));
    expect(await merchantsIn("report_customer_windows")).toEqual([]);
    await asRole.query("BEGIN");
    await asRole.query("SET LOCAL app.merchant_id = '2'");
    expect(await merchantsIn("report_customer_windows")).toEqual([2]);
    await asRole.query("COMMIT");
  });

  it("the application's pool under the same role acts for every merchant, and a merchant's report reads its own rows", async () => {
    const app: LedgerDatabase = await openLedgerDatabase(roleUrl, { existing: "read-write" });
    try {
      expect((await app.db.payment.findMany({ select: { merchantId: true }, orderBy: { merchantId: "asc" } })).map((p) => p.merchantId)).toEqual([1, 2]);
      expect((await app.hot.notifications.due("customers", new Date(Date.now() + 60_000), 10)).map((n) => n.merchantId).sort()).toEqual([1, 2]);
      const report = await createReports({ database: forMerchant(app, 2), currency: "USD", panelCurrency: "USD" }).report(parsePeriod("today")!);
      expect(report.paid).toEqual({ count: 1, sumMinor: 2000 });
    } finally {
      await app.close();
    }
  });
});
