import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`data access on ${dialect.name}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => database?.drop());

    it("migrations are recorded and not applied twice", async () => {
      expect(await migrate(database.url)).toEqual([]);
    });

    it("creates, reads, updates and constrains every model", async () => {
      const { db } = database;
      const now = new Date();
      const user = await db.user.create({ data: { telegramId: 7_000_000_001n, username: "sok", language: "km", panelLogin: "sok_panel" } });
      expect((await db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: 7_000_000_001n } } })).language).toBe("km");
      await expect(db.user.create({ data: { telegramId: 7_000_000_001n } })).rejects.toMatchObject({ code: "P2002" });

      const topUp = await db.topUp.create({
        data: { reference: "26112000000001", userId: user.id, chatId: 7_000_000_001n, provider: "bakong", currency: "USD", amountMinor: 1050, panelLogin: "sok_panel", status: "PENDING", expiresAt: now },
      });
      await expect(db.topUp.create({ data: { ...topUp, id: undefined } })).rejects.toMatchObject({ code: "P2002" });
      await db.topUp.update({ where: { id: topUp.id }, data: { status: "PAID", messageId: 42 } });
      expect((await db.topUp.findUniqueOrThrow({ where: { reference: "26112000000001" } })).messageId).toBe(42);

      const payment = await db.payment.create({
        data: { provider: "bakong", providerTxnId: "hash1", topUpId: topUp.id, amountMinor: 1050, currency: "USD", flag: "OK", source: "poll", raw: "{}" },
      });
      await expect(db.payment.create({ data: { provider: "bakong", providerTxnId: "hash1", amountMinor: 1, currency: "USD", flag: "OK", source: "poll", raw: "{}" } })).rejects.toMatchObject({ code: "P2002" });
      // Same provider transaction id at another provider is a different payment.
      await db.payment.create({ data: { provider: "kess", providerTxnId: "hash1", amountMinor: 1, currency: "USD", flag: "OK", source: "poll", raw: "{}" } });

      const credit = await db.credit.create({
        data: { paymentId: payment.id, topUpId: topUp.id, panelLogin: "sok_panel", amountMinor: 1050, currency: "USD", memo: "KHQR 26112000000001 1", kind: "payment", status: "QUEUED", nextAttemptAt: now },
      });
      await expect(db.credit.create({ data: { paymentId: payment.id, panelLogin: "x", amountMinor: 1, currency: "USD", memo: "other", kind: "payment", status: "QUEUED", nextAttemptAt: now } })).rejects.toMatchObject({ code: "P2002" });
      await expect(db.credit.create({ data: { panelLogin: "x", amountMinor: 1, currency: "USD", memo: credit.memo, kind: "manual", status: "QUEUED", nextAttemptAt: now } })).rejects.toMatchObject({ code: "P2002" });
      const claimed = await db.credit.updateMany({ where: { id: credit.id, status: "QUEUED", claimedUntil: null }, data: { status: "SENDING", claimedUntil: now } });
      expect(claimed.count).toBe(1);
      expect((await db.credit.updateMany({ where: { id: credit.id, status: "QUEUED" }, data: { status: "SENDING" } })).count).toBe(0);

      const refund = await db.refund.create({ data: { topUpId: topUp.id, amountMinor: 500, currency: "USD", reason: "test", adminId: 99n, providerStatus: "UNSUPPORTED", panelStatus: "DEBITED" } });
      expect((await db.topUp.findUniqueOrThrow({ where: { id: topUp.id }, include: { refunds: true, payments: true } })).refunds[0]!.id).toBe(refund.id);

      await db.auditLog.create({ data: { actorId: 99n, action: "refund", subject: "26112000000001", reason: "test", details: "{}" } });
      expect(await db.auditLog.count({ where: { subject: "26112000000001" } })).toBe(1);

      await db.notification.create({ data: { dedupeKey: "k1", chatId: -100123n, kind: "admin.payment", payload: "{}", status: "QUEUED", nextAttemptAt: now } });
      await expect(db.notification.create({ data: { dedupeKey: "k1", chatId: 1n, kind: "x", payload: "{}", status: "QUEUED", nextAttemptAt: now } })).rejects.toMatchObject({ code: "P2002" });

      await db.keyValue.upsert({ where: { key: "session:1" }, create: { key: "session:1", value: "a" }, update: { value: "a" } });
      await db.keyValue.upsert({ where: { key: "session:1" }, create: { key: "session:1", value: "b" }, update: { value: "b" } });
      expect((await db.keyValue.findUniqueOrThrow({ where: { key: "session:1" } })).value).toBe("b");
      await db.keyValue.delete({ where: { key: "session:1" } });
      expect(await db.keyValue.count()).toBe(0);
    });

    it("keeps datetimes exact and comparable", async () => {
      const { db } = database;
      const at = new Date("2026-11-20T10:00:00.123Z");
      await db.keyValue.create({ data: { key: "t", value: "v", expiresAt: at } });
      expect((await db.keyValue.findFirstOrThrow({ where: { expiresAt: { lte: at } } })).expiresAt?.toISOString()).toBe(at.toISOString());
      expect(await db.keyValue.count({ where: { expiresAt: { lt: at } } })).toBe(0);
    });
  });
}
