import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedgerDatabase } from "../../src/ledger/hot-path.js";
import { runCli } from "./run-cli.js";

/** `report --all`: the operator's table of every shop from the database alone (DATABASE_URL), or its JSON. */
describe("cli report --all", { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "khqr-report-all-"));
  const env = { DATABASE_URL: `file:${join(dir, "bot.db")}`, DOTENV_CONFIG_PATH: join(dir, "no.env") };

  beforeAll(async () => {
    const database = await openLedgerDatabase(env.DATABASE_URL);
    try {
      const { db } = database;
      const b = await db.merchant.create({ data: { name: "shop-b", botId: 7_400_000_001n, botInfo: JSON.stringify({ id: 7_400_000_001, is_bot: true, username: "shop_b_bot" }), routeKey: "route-b" } });
      const user = await db.user.create({ data: { merchantId: b.id, telegramId: 555n, panelLogin: "bopha_b" } });
      const topUp = await db.topUp.create({ data: { merchantId: b.id, reference: "26120700000009", userId: user.id, chatId: 555n, provider: "kess", currency: "USD", amountMinor: 500, panelLogin: "bopha_b", status: "PAID", expiresAt: new Date() } });
      await db.payment.create({ data: { merchantId: b.id, provider: "kess", providerTxnId: "txn-b", topUpId: topUp.id, amountMinor: 500, currency: "USD", flag: "OK", source: "webhook", raw: "{}", reference: topUp.reference } });
    } finally {
      await database.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints one row per shop and the totals, with no customer in it", async () => {
    const run = await runCli(["report", "7d", "--all"], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^every shop, \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d \(/);
    expect(lines[1]).toMatch(/^shop\s+state\s+bot\s+opened\s+paid\s+paid sums\s+credited\s+held\s+refunded\s+refunded sums\s+pending\s+last payment$/);
    expect(lines[2]).toMatch(/^default\s+active\s+-\s+0\s+0\s+-\s+0\s+0\s+0\s+-\s+0\s+never$/);
    expect(lines[3]).toMatch(/^shop-b\s+active\s+@shop_b_bot\s+1\s+1\s+5\.00 USD\s+0\s+0\s+0\s+-\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(lines[4]).toMatch(/^total \(2\)\s+1\s+1\s+5\.00 USD\s+0/);
    expect(run.stdout).not.toContain("bopha_b");
    expect(run.stdout).not.toContain("555");
  });

  it("--json gives the same figures; --json alone is a usage error", async () => {
    const run = await runCli(["report", "--all", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { shops: { name: string; bot: string | null; paid: { count: number; sums: { currency: string; sumMinor: number }[] } }[]; total: { paid: { count: number } } };
    expect(report.shops.map((s) => [s.name, s.bot, s.paid])).toEqual([["default", null, { count: 0, sums: [] }], ["shop-b", "shop_b_bot", { count: 1, sums: [{ currency: "USD", sumMinor: 500 }] }]]);
    expect(report.total.paid.count).toBe(1);
    const usage = await runCli(["report", "--json"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--json goes with --all");
  });
});
