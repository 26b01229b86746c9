import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPayment } from "../../src/ledger/record-payment.js";
import { eventually } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { ADMIN_CHAT, CUSTOMER_CHAT, startMoneyKit, type MoneyKit } from "./money-kit.js";

describe("a burst of payments", () => {
  let database: TestDatabase;
  let kit: MoneyKit;
  beforeAll(async () => {
    database = await freshSqlite();
    kit = await startMoneyKit(database, { notifier: false });
  });
  afterAll(async () => {
    await kit?.stop();
    await database?.drop();
  });

  it("reaches the admin chat as one digest listing the held ones, after every customer message", async () => {
    const refs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const order = await database.db.topUp.create({
        data: { reference: `KQ-BURST-${i}`, userId: kit.userId, chatId: BigInt(CUSTOMER_CHAT), provider: "raksmeypay", currency: "USD", amountMinor: 500, panelLogin: "dara", status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
      });
      refs.push(order.reference);
      const amountMinor = i % 3 === 2 ? 400 : 500;
      await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: `burst-${i}`, reference: order.reference, amountMinor, currency: "USD", raw: {} }, { source: "webhook", signed: true });
    }
    await eventually(async () => (await database.db.credit.count({ where: { status: "DONE" } })) === 8, "8 exact payments credited");

    await kit.notifier.pass();

    const admin = kit.texts(ADMIN_CHAT);
    expect(admin).toHaveLength(1);
    expect(admin[0]).toContain("12 payments, 56.00 USD");
    expect(admin[0]).toContain("4 held for an admin");
    for (const i of [2, 5, 8, 11]) expect(admin[0]).toMatch(new RegExp(`• KQ-BURST-${i} 4\\.00 USD via raksmeypay: paid 4\\.00 USD, less than`));
    expect(admin[0]).not.toContain("KQ-BURST-0 ");

    const customer = kit.texts(CUSTOMER_CHAT);
    expect(customer.filter((t) => t.includes("Top-up successful"))).toHaveLength(8);
    expect(customer.filter((t) => t.includes("needs to check it"))).toHaveLength(4);
    const sends = kit.driver.calls("sendMessage");
    const lastCustomer = sends.findLastIndex((c) => Number(c.params.chat_id) === CUSTOMER_CHAT);
    const digest = sends.findIndex((c) => Number(c.params.chat_id) === ADMIN_CHAT);
    expect(lastCustomer).toBeLessThan(digest);
    expect(await database.db.notification.count({ where: { status: { not: "SENT" } } })).toBe(0);
  });
});
