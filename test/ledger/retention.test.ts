import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRetention } from "../../src/jobs/retention.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const NOW = new Date("2026-06-30T00:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`retention (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("prunes sent and failed notifications past RETENTION_DAYS and expired locks; keeps everything else, money rows above all", async () => {
      const { db } = database;
      const user = await db.user.create({ data: { telegramId: 1n, panelLogin: "dara" } });
      const topUp = await db.topUp.create({
        data: { reference: "26010100000001", userId: user.id, chatId: 1n, provider: "bakong", currency: "USD", amountMinor: 100, panelLogin: "dara", status: "CREDITED", expiresAt: daysAgo(200), createdAt: daysAgo(200) },
      });
      const payment = await db.payment.create({ data: { provider: "bakong", providerTxnId: "t1", topUpId: topUp.id, amountMinor: 100, currency: "USD", flag: "OK", source: "webhook", raw: "{}", observedAt: daysAgo(200) } });
      await db.credit.create({ data: { paymentId: payment.id, topUpId: topUp.id, panelLogin: "dara", amountMinor: 100, currency: "USD", memo: "m1", kind: "payment", status: "DONE", nextAttemptAt: daysAgo(200), createdAt: daysAgo(200), doneAt: daysAgo(200) } });
      await db.refund.create({ data: { topUpId: topUp.id, amountMinor: 10, currency: "USD", reason: "r", adminId: 1n, providerStatus: "MANUAL", panelStatus: "DEBITED", createdAt: daysAgo(200) } });
      await db.auditLog.create({ data: { action: "refund", subject: topUp.reference, details: "{}", createdAt: daysAgo(200) } });
      const note = (key: string, status: string, at: Date, sentAt: Date | null) =>
        db.notification.create({ data: { dedupeKey: key, chatId: 1n, kind: "topup.credited", payload: "{}", status, nextAttemptAt: at, createdAt: at, sentAt } });
      await note("old-sent", "SENT", daysAgo(100), daysAgo(91));
      await note("recent-sent", "SENT", daysAgo(100), daysAgo(89));
      // A message given up on records when in sentAt (the notification queues and migration 009).
      await note("old-failed", "FAILED", daysAgo(95), daysAgo(95));
      await note("recent-failed", "FAILED", daysAgo(10), daysAgo(10));
      await note("old-queued", "QUEUED", daysAgo(200), null);
      await db.keyValue.create({ data: { key: "lock:expired", value: "1", expiresAt: daysAgo(1) } });
      await db.keyValue.create({ data: { key: "lock:held", value: "1", expiresAt: new Date(NOW.getTime() + 60_000) } });
      await db.keyValue.create({ data: { key: "session:1", value: "{}" } });

      const retention = createRetention({ database, retentionDays: 90, log: silentLog, now: () => NOW });
      expect(await retention.pass()).toBe(false);

      expect((await db.notification.findMany({ orderBy: { dedupeKey: "asc" } })).map((n) => n.dedupeKey)).toEqual(["old-queued", "recent-failed", "recent-sent"]);
      expect((await db.keyValue.findMany({ orderBy: { key: "asc" } })).map((k) => k.key)).toEqual(["lock:held", "session:1"]);
      expect([await db.topUp.count(), await db.payment.count(), await db.credit.count(), await db.refund.count(), await db.auditLog.count(), await db.user.count()]).toEqual([1, 1, 1, 1, 1, 1]);
    });

    it("prunes a large backlog in batches, saying when more is left", async () => {
      const { db } = database;
      await db.notification.createMany({
        data: Array.from({ length: 2_500 }, (_, i) => ({ dedupeKey: `bulk-${i}`, chatId: 1n, kind: "topup.credited", payload: "{}", status: "SENT", nextAttemptAt: daysAgo(120), sentAt: daysAgo(120) })),
      });
      const retention = createRetention({ database, retentionDays: 90, log: silentLog, now: () => NOW });
      expect(await retention.pass()).toBe(true);
      expect(await retention.pass()).toBe(false);
      expect(await db.notification.count({ where: { dedupeKey: { startsWith: "bulk-" } } })).toBe(0);
    });
  });
}
