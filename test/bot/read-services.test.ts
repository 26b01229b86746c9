import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminNotes, type AdminNotes } from "../../src/admin/notes.js";
import { createCustomers, type Customers } from "../../src/customers/customers.js";
import { createReceipts, type Receipts } from "../../src/customers/receipts.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../../src/ledger/states.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/** What the bot reads through services instead of its own queries (receipts, admin notes, admins' languages), on both databases. */
for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`the bot's read services on ${dialect.name}`, () => {
    let database: TestDatabase;
    let customers: Customers;
    let receipts: Receipts;
    let notes: AdminNotes;
    let userId: number;
    let seq = 0;

    beforeAll(async () => {
      database = await dialect.fresh();
      customers = createCustomers(forMerchant(database, DEFAULT_MERCHANT_ID));
      receipts = createReceipts(forMerchant(database, DEFAULT_MERCHANT_ID));
      notes = createAdminNotes(forMerchant(database, DEFAULT_MERCHANT_ID));
      await customers.save(9_200_000_001, { username: "dara", firstName: "Dara", language: "km" });
      userId = (await customers.get(9_200_000_001)).id;
    });
    afterAll(async () => database?.drop());

    async function topUp() {
      return database.db.topUp.create({
        data: { reference: String(26_120_400_000_000 + seq++), userId, chatId: 9_200_000_001n, provider: "bakong", currency: "USD", amountMinor: 500, panelLogin: "dara", status: TopUpStatus.CREDITED, expiresAt: new Date() },
      });
    }
    async function payment(topUpId: number | null, amountMinor: number) {
      return database.db.payment.create({
        data: { provider: "bakong", providerTxnId: `txn-${seq++}`, topUpId, amountMinor, currency: "USD", flag: "OK", source: "webhook", raw: "{}" },
      });
    }
    async function credit(topUpId: number | null, kind: string, status: string, amountMinor: number, paymentId: number | null = null) {
      return database.db.credit.create({
        data: { topUpId, paymentId, panelLogin: "dara", amountMinor, currency: "USD", memo: `memo-${seq++}`, kind, status, nextAttemptAt: new Date() },
      });
    }

    it("knows the stored language of users who have used the bot, and nothing of the others", async () => {
      const languages = await customers.languagesOf([9_200_000_001n, 9_200_000_999n]);
      expect([...languages]).toEqual([[9_200_000_001n, "km"]]);
    });

    it("a receipt (one hot-path statement) names the latest landed credit that is not a bonus, and sums the bonuses not cancelled", async () => {
      const order = await topUp();
      const paid = await payment(order.id, 480);
      await credit(order.id, CreditKind.PAYMENT, CreditStatus.DONE, 470);
      const landed = await credit(order.id, CreditKind.PAYMENT, CreditStatus.DONE, 480, paid.id);
      await credit(order.id, CreditKind.PAYMENT, CreditStatus.HELD, 900);
      await credit(order.id, CreditKind.BONUS, CreditStatus.DONE, 50);
      await credit(order.id, CreditKind.BONUS, CreditStatus.QUEUED, 20);
      await credit(order.id, CreditKind.BONUS, CreditStatus.CANCELLED, 1000);
      const facts = await database.hot.notifications.receipt(order.id);
      expect(facts).toMatchObject({ topUpId: order.id, reference: order.reference, language: "km", userId, bonusMinor: 70, recredited: false });
      expect(facts?.credit).toEqual({ id: landed.id, panelLogin: "dara", amountMinor: 480, currency: "USD", balanceMinor: null, paid: { amountMinor: 480, currency: "USD" } });
      const bare = await topUp();
      expect(await database.hot.notifications.receipt(bare.id)).toMatchObject({ credit: null, bonusMinor: 0 });
      expect(await database.hot.notifications.receipt(-1)).toBeNull();
      // An admin's /recredit of this credit is audited: the receipt's delivery tells the admins it landed.
      await database.db.auditLog.create({ data: { action: "recredit", subject: order.reference, details: JSON.stringify({ creditId: landed.id - 1 }) } });
      expect((await database.hot.notifications.receipt(order.id))?.recredited).toBe(false);
      await database.db.auditLog.create({ data: { action: "recredit", subject: order.reference, details: JSON.stringify({ creditId: landed.id, outcome: "queued" }) } });
      expect((await database.hot.notifications.receipt(order.id))?.recredited).toBe(true);
    });

    it("a held payment is the one named only if it belongs to the top-up, else the top-up's latest", async () => {
      const order = await topUp();
      const other = await topUp();
      await payment(order.id, 100);
      const latest = await payment(order.id, 200);
      const foreign = await payment(other.id, 300);
      expect((await receipts.heldPayment(order.id, undefined))?.id).toBe(latest.id);
      expect(await receipts.heldPayment(order.id, foreign.id)).toBeNull();
      expect((await receipts.heldPayment(other.id, foreign.id))?.id).toBe(foreign.id);
    });

    it("a credit comes with its top-up, or none when it has none or does not exist", async () => {
      const order = await topUp();
      const paid = await credit(order.id, CreditKind.PAYMENT, CreditStatus.HELD, 500);
      const manual = await credit(null, CreditKind.MANUAL, CreditStatus.HELD, 500);
      expect(await notes.creditWithTopUp(paid.id)).toMatchObject({ credit: { id: paid.id }, topUp: { id: order.id } });
      expect(await notes.creditWithTopUp(manual.id)).toMatchObject({ credit: { id: manual.id }, topUp: null });
      expect(await notes.creditWithTopUp(999_999)).toEqual({ credit: null, topUp: null });
    });

    it("the /recredit note is queued once per admin chat, only for a credit an admin released", async () => {
      const order = await topUp();
      const released = await credit(order.id, CreditKind.PAYMENT, CreditStatus.DONE, 500);
      const automatic = await credit(order.id, CreditKind.PAYMENT, CreditStatus.DONE, 500);
      await database.db.auditLog.create({ data: { actorId: 1n, action: "recredit", subject: order.reference, details: JSON.stringify({ creditId: released.id, outcome: "queued" }) } });
      const chats = [11n, 12n];
      await notes.noteRecreditLanded(automatic.id, order.reference, chats);
      await notes.noteRecreditLanded(released.id, order.reference, chats);
      await notes.noteRecreditLanded(released.id, order.reference, chats);
      const queued = await database.db.notification.findMany({ where: { kind: "admin.recredited" }, orderBy: { chatId: "asc" } });
      expect(queued.map((n) => [n.chatId, JSON.parse(n.payload)])).toEqual([
        [11n, { kind: "admin.recredited", creditId: released.id }],
        [12n, { kind: "admin.recredited", creditId: released.id }],
      ]);
    });
  });
}
