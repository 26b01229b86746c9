import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { merchantPendingWork } from "../../src/platform/pending-work.js";
import { dialects, type TestDatabase } from "../support/databases.js";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`a merchant's pending work (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
      await database.db.merchant.create({ data: { name: "shop-a" } });
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("counts open top-ups, credits not done, held credits and refunds in flight of that merchant only", async () => {
      const { db } = database;
      expect(await merchantPendingWork(database, 2)).toMatchObject({ total: 0 });
      const user = await db.user.create({ data: { telegramId: 5001n, panelLogin: "dara" } });
      const topUp = (reference: string, status: string) => db.topUp.create({
        data: { reference, userId: user.id, chatId: 1n, provider: "bakong", currency: "USD", amountMinor: 500, panelLogin: "dara", status, expiresAt: new Date(Date.now() + 600_000) },
      });
      const open = await topUp("26120700000101", "PENDING");
      const paid = await topUp("26120700000102", "HELD");
      const credit = (memo: string, status: string) => db.credit.create({ data: { topUpId: paid.id, panelLogin: "dara", amountMinor: 500, currency: "USD", memo, kind: "payment", status, nextAttemptAt: new Date() } });
      await credit("KHQR m1", "HELD");
      await credit("KHQR m2", "SENDING");
      await credit("KHQR m3", "DONE");
      await db.refund.create({ data: { topUpId: paid.id, amountMinor: 100, currency: "USD", reason: "test", adminId: 7n, providerStatus: "MANUAL", panelStatus: "DONE" } });
      // Everything so far is the environment merchant's (the column's default): shop-a has nothing pending.
      expect(await merchantPendingWork(database, 2)).toMatchObject({ total: 0 });
      expect(await merchantPendingWork(database, 1)).toEqual({ openTopUps: 1, creditsInFlight: 1, heldCredits: 1, refundsInFlight: 1, total: 4 });
      for (const table of ["top_ups", "credits", "refunds"]) await db.$executeRawUnsafe(`UPDATE "${table}" SET "merchantId" = 2`);
      expect(await merchantPendingWork(database, 2)).toEqual({ openTopUps: 1, creditsInFlight: 1, heldCredits: 1, refundsInFlight: 1, total: 4 });
      expect(await merchantPendingWork(database, 1)).toMatchObject({ total: 0 });
      // Settled: the top-up expired, the credits done, the refund made and taken back from the panel.
      await db.topUp.update({ where: { id: open.id }, data: { status: "EXPIRED" } });
      await db.credit.updateMany({ data: { status: "DONE" } });
      await db.refund.updateMany({ data: { providerStatus: "REFUNDED" } });
      expect(await merchantPendingWork(database, 2)).toMatchObject({ total: 0 });
    });
  });
}
