import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomers, type Customers } from "../../src/customers/customers.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** The customer records the bot reads and writes, on both databases. */
for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`customer records on ${dialect.name}`, () => {
    let database: TestDatabase;
    let customers: Customers;
    let reference = 26_120_300_000_000;

    beforeAll(async () => {
      database = await dialect.fresh();
      customers = createCustomers(forMerchant(database, DEFAULT_MERCHANT_ID));
    });
    afterAll(async () => database?.drop());

    /** A top-up ordered for `panelLogin`; `credited` names the login its payment credit went to (DONE). */
    async function topUp(userId: number, telegramId: number, panelLogin: string, status: string, credited?: string) {
      const row = await database.db.topUp.create({
        data: {
          reference: String(reference++), userId, chatId: BigInt(telegramId), provider: "bakong", currency: "USD",
          amountMinor: 500, panelLogin, status, expiresAt: new Date(),
        },
      });
      if (credited === undefined) return;
      await database.db.credit.create({
        data: { topUpId: row.id, panelLogin: credited, amountMinor: 500, currency: "USD", memo: `KHQR ${row.reference} 1`, kind: "payment", status: "DONE", nextAttemptAt: new Date(), doneAt: new Date() },
      });
    }

    it("saves a Telegram user once and keeps the fields current", async () => {
      await customers.save(9_100_000_001, { username: "dara", firstName: "Dara", language: "en" });
      await customers.save(9_100_000_001, { username: null, firstName: "Dara K", language: "km" });
      const user = await customers.get(9_100_000_001);
      expect(user).toMatchObject({ telegramId: 9_100_000_001n, username: null, firstName: "Dara K", language: "km", panelLogin: null });
      await customers.setLanguage(9_100_000_001, "en");
      expect((await customers.get(9_100_000_001)).language).toBe("en");
      await expect(customers.get(9_100_000_999)).rejects.toThrow();
    });

    it("a burst of a thousand new customers saved at once: each saved once, under this merchant, with the id save returned", async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => 9_200_000_000 + i);
      const saved = await Promise.all(ids.map((id) => customers.save(id, { username: null, firstName: `C${id}`, language: "en" })));
      const again = await Promise.all(ids.map((id) => customers.save(id, { username: `u${id}`, firstName: `C${id}`, language: "km" })));
      expect(again).toEqual(saved);
      const rows = await database.db.user.findMany({ where: { telegramId: { gte: 9_200_000_000n, lt: 9_200_001_000n } }, orderBy: { telegramId: "asc" } });
      expect(rows.map((r) => [r.id, Number(r.telegramId), r.merchantId, r.username, r.language])).toEqual(ids.map((id, i) => [saved[i], id, DEFAULT_MERCHANT_ID, `u${id}`, "km"]));
    });

    it("a balance is remembered only for the login still linked, and forgotten when another login is linked", async () => {
      const user = await customers.get(9_100_000_001);
      await customers.linkLogin(user, "dara");
      await customers.rememberBalance(user.id, "dara", 250);
      await customers.rememberBalance(user.id, "someone_else", 999);
      expect((await customers.get(9_100_000_001)).lastBalanceMinor).toBe(250);
      await customers.linkLogin(await customers.get(9_100_000_001), "dara");
      expect((await customers.get(9_100_000_001)).lastBalanceMinor).toBe(250);
      await customers.linkLogin(await customers.get(9_100_000_001), "vanna");
      expect(await customers.get(9_100_000_001)).toMatchObject({ panelLogin: "vanna", lastBalanceMinor: null });
    });

    it("has paid into a login only with a credited top-up from this customer to that login", async () => {
      await customers.save(9_100_000_002, { username: null, firstName: "Mallory", language: "en" });
      const payer = await customers.get(9_100_000_001);
      const other = await customers.get(9_100_000_002);
      for (const status of [TopUpStatus.PENDING, TopUpStatus.PAID, TopUpStatus.HELD, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED, TopUpStatus.REFUNDED]) {
        await topUp(payer.id, 9_100_000_001, "dara", status);
      }
      // A refunded top-up's credit, and a credited top-up whose credit record is missing, prove nothing.
      await topUp(payer.id, 9_100_000_001, "dara", TopUpStatus.REFUNDED, "dara");
      await topUp(payer.id, 9_100_000_001, "dara", TopUpStatus.CREDITED);
      expect(await customers.hasPaidInto(payer.id, "dara")).toBe(false);
      await topUp(payer.id, 9_100_000_001, "dara", TopUpStatus.CREDITED, "dara");
      expect(await customers.hasPaidInto(payer.id, "dara")).toBe(true);
      expect(await customers.hasPaidInto(payer.id, "Dara")).toBe(false);
      expect(await customers.hasPaidInto(payer.id, "vanna")).toBe(false);
      expect(await customers.hasPaidInto(other.id, "dara")).toBe(false);
    });

    it("counts the login each credit went to, not the one the top-up was ordered for", async () => {
      const payer = await customers.get(9_100_000_002);
      // Ordered for "sok", released by an admin to "chan": the money is on chan.
      await topUp(payer.id, 9_100_000_002, "sok", TopUpStatus.CREDITED, "chan");
      expect(await customers.hasPaidInto(payer.id, "chan")).toBe(true);
      expect(await customers.hasPaidInto(payer.id, "sok")).toBe(false);
    });
  });
}
