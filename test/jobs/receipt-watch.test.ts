import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReceiptWatch } from "../../src/jobs/receipt-watch.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

const ADMIN = -100_500n;

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`receipt queue watch (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("shows the queue per audience, and tells admins once when receipts fall 5 minutes behind and once when they catch up", async () => {
      const { db } = database;
      let now = new Date();
      const metrics = createMetrics();
      const outages = createOutageTracker({ db, merchantId: DEFAULT_MERCHANT_ID, adminChats: [ADMIN], log: silentLog });
      const watch = createReceiptWatch({ database, metrics, outages, log: silentLog, now: () => now });
      const gauge = async (g: typeof metrics.notificationQueueDepth, audience: string) => (await g.get()).values.find((v) => v.labels.audience === audience)?.value;
      const notes = () => db.notification.findMany({ where: { kind: "admin.outage" }, orderBy: { id: "asc" } });
      const receipt = (key: string, dueAt: Date) =>
        db.notification.create({ data: { dedupeKey: key, chatId: 7n, kind: "topup.credited", payload: "{}", status: "QUEUED", nextAttemptAt: dueAt, createdAt: dueAt } });

      await receipt("r1", new Date(now.getTime() - 4 * 60_000));
      await receipt("r2", new Date(now.getTime() - 60_000));
      await watch.pass();
      expect(await gauge(metrics.notificationQueueDepth, "customers")).toBe(2);
      expect(await gauge(metrics.notificationQueueLag, "customers")).toBeCloseTo(240, 0);
      expect(await gauge(metrics.notificationQueueDepth, "admins")).toBe(0);
      expect(watch.status()).toMatchObject({ behind: false, queued: 2 });
      expect(await notes()).toEqual([]);

      now = new Date(now.getTime() + 2 * 60_000);
      await watch.pass();
      await watch.pass();
      expect(watch.status()).toEqual({ behind: true, queued: 2, lateSeconds: 360 });
      const [down] = await notes();
      expect(JSON.parse(down!.payload)).toMatchObject({ kind: "admin.outage", component: "receipts", state: "down" });
      expect(await notes()).toHaveLength(1);
      expect(await gauge(metrics.notificationQueueDepth, "admins")).toBe(1);

      // The oldest is sent; the other has waited 3 minutes: still behind (caught up means within a minute).
      await db.notification.update({ where: { merchantId_dedupeKey: { merchantId: DEFAULT_MERCHANT_ID, dedupeKey: "r1" } }, data: { status: "SENT", sentAt: now } });
      await watch.pass();
      expect(watch.status().behind).toBe(true);
      await db.notification.update({ where: { merchantId_dedupeKey: { merchantId: DEFAULT_MERCHANT_ID, dedupeKey: "r2" } }, data: { status: "SENT", sentAt: now } });
      await watch.pass();
      await watch.pass();
      expect(watch.status()).toEqual({ behind: false, queued: 0, lateSeconds: 0 });
      const all = await notes();
      expect(all.map((n) => (JSON.parse(n.payload) as { state: string }).state)).toEqual(["down", "up"]);
      expect(await gauge(metrics.notificationQueueLag, "customers")).toBe(0);
    });
  });
}
