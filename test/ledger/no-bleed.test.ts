import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import { recordPayment, type LedgerDeps } from "../../src/ledger/record-payment.js";
import { silentLog, userFor } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

describe("SQLite units of work do not bleed into each other", () => {
  let database: TestDatabase;
  let ledger: LedgerDeps;
  let userId: number;
  let seq = 0;
  beforeAll(async () => {
    database = await freshSqlite();
    ledger = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics(), panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
    userId = await userFor(database, "bleed");
  });
  afterAll(async () => {
    await database?.drop();
  });

  const order = () =>
    database.db.topUp.create({
      data: { reference: `NB-${++seq}`, userId, chatId: 1n, provider: "raksmeypay", currency: "USD", amountMinor: 500, panelLogin: "bleed", status: "PENDING", expiresAt: new Date(Date.now() + 60_000) },
    });

  it("a payment recorded while another transaction is open survives that transaction's rollback", async () => {
    const t = await order();
    let recorded: Promise<unknown> | undefined;
    const rolledBack = database.db.$transaction(async (tx) => {
      await tx.auditLog.create({ data: { action: "bleed-test", subject: "NB", details: "{}", createdAt: new Date() } });
      recorded = recordPayment(ledger, { provider: "raksmeypay", providerTxnId: `nb-${seq}`, reference: t.reference, amountMinor: 500, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      await new Promise((r) => setTimeout(r, 100));
      throw new Error("roll this one back");
    });
    await expect(rolledBack).rejects.toThrow("roll this one back");
    await expect(recorded).resolves.toMatchObject({ outcome: "recorded" });
    expect(await database.db.auditLog.count({ where: { action: "bleed-test" } })).toBe(0);
    expect(await database.db.payment.count({ where: { topUpId: t.id } })).toBe(1);
    expect(await database.db.credit.count({ where: { topUpId: t.id, status: "QUEUED" } })).toBe(1);
    expect((await database.db.topUp.findUniqueOrThrow({ where: { id: t.id } })).status).toBe("PAID");
  });

  it("observations of one event-loop turn share a commit, each with its own outcome; one failing fails no other", async () => {
    const [a, b, c] = [await order(), await order(), await order()];
    const obs = (ref: string, txn: string, amountMinor: number) => ({ provider: "raksmeypay" as const, providerTxnId: txn, reference: ref, amountMinor, currency: "USD" as const, raw: {} });
    const results = await Promise.allSettled([
      recordPayment(ledger, obs(a.reference, "turn-a", 500), { source: "webhook", signed: true }),
      recordPayment(ledger, obs(b.reference, "turn-b", 1.5), { source: "webhook", signed: true }),
      recordPayment(ledger, obs(c.reference, "turn-c", 450), { source: "webhook", signed: true }),
      recordPayment(ledger, obs(a.reference, "turn-a", 500), { source: "poll", signed: true }),
      recordPayment(ledger, obs("NB-none", "turn-d", 500), { source: "webhook", signed: true }),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value.outcome : "rejected"))).toEqual(["recorded", "rejected", "held", "duplicate", "orphan"]);
    expect(await database.db.payment.count({ where: { providerTxnId: { startsWith: "turn-" } } })).toBe(3);
    expect(await database.db.payment.count({ where: { topUpId: b.id } })).toBe(0);
    expect((await database.db.topUp.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("PENDING");
    expect(await database.db.notification.count({ where: { dedupeKey: { startsWith: "held-payment:" } } })).toBe(1);
  });
});
