import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReceiptWatch } from "../../src/jobs/receipt-watch.js";
import type { MerchantResolver } from "../../src/jobs/merchants.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker, type OutageTracker } from "../../src/notify/outages.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

const SHOP_A = DEFAULT_MERCHANT_ID;
const SHOP_B = 2;
const ADMINS: Record<number, bigint> = { [SHOP_A]: -100_500n, [SHOP_B]: -200_600n };

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`receipt queue watch (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("shows the queue per audience, and tells each shop's admins once when its receipts fall 5 minutes behind and once when they catch up", async () => {
      const { db } = database;
      let now = new Date();
      const metrics = createMetrics();
      // Two shops, as a platform serves them: each one's notes go to its own admins.
      const trackers = () => new Map<number, OutageTracker>([SHOP_A, SHOP_B].map((id) => [id, createOutageTracker({ db, merchantId: id, adminChats: [ADMINS[id]!], log: silentLog })]));
      const served = (m: Map<number, OutageTracker>): MerchantResolver<OutageTracker> => ({ get: (id) => m.get(id), ids: () => [...m.keys()] });
      const watch = createReceiptWatch({ database, metrics, outages: served(trackers()), log: silentLog, now: () => now });
      const gauge = async (g: typeof metrics.notificationQueueDepth, audience: string) => (await g.get()).values.find((v) => v.labels.audience === audience)?.value;
      const notes = async () => (await db.notification.findMany({ where: { kind: "admin.outage" }, orderBy: { id: "asc" } })).map((n) => ({
        merchantId: n.merchantId, chatId: n.chatId, state: (JSON.parse(n.payload) as { state: string; component: string }).state, component: (JSON.parse(n.payload) as { component: string }).component,
      }));
      const receipt = (merchantId: number, key: string, dueAt: Date) =>
        db.notification.create({ data: { merchantId, dedupeKey: key, chatId: 7n, kind: "topup.credited", payload: "{}", status: "QUEUED", nextAttemptAt: dueAt, createdAt: dueAt } });
      const send = (merchantId: number, key: string) => db.notification.update({ where: { merchantId_dedupeKey: { merchantId, dedupeKey: key } }, data: { status: "SENT", sentAt: now } });

      // Shop B's receipts wait (its bot is at Telegram's limit); shop A's are on time.
      await receipt(SHOP_B, "r1", new Date(now.getTime() - 4 * 60_000));
      await receipt(SHOP_B, "r2", new Date(now.getTime() - 60_000));
      await receipt(SHOP_A, "a1", new Date(now.getTime() - 20_000));
      await watch.pass();
      expect(await gauge(metrics.notificationQueueDepth, "customers")).toBe(3);
      expect(await gauge(metrics.notificationQueueLag, "customers")).toBeCloseTo(240, 0);
      expect(await gauge(metrics.notificationQueueDepth, "admins")).toBe(0);
      expect(watch.status()).toMatchObject({ behind: false, shopsBehind: 0, queued: 3 });
      expect(await notes()).toEqual([]);

      now = new Date(now.getTime() + 2 * 60_000);
      await watch.pass();
      await watch.pass();
      expect(watch.status()).toEqual({ behind: true, shopsBehind: 1, queued: 3, lateSeconds: 360 });
      // Shop B's admins only: shop A's learn nothing of shop B (A's receipt, due 2 min 20 s ago, is not behind).
      expect(await notes()).toEqual([{ merchantId: SHOP_B, chatId: ADMINS[SHOP_B], state: "down", component: "receipts" }]);
      expect(await gauge(metrics.notificationQueueDepth, "admins")).toBe(1);
      const metricsText = await metrics.registry.metrics();
      expect(metricsText).not.toMatch(/merchant/i);

      // The oldest is sent; the other has waited 3 minutes: still behind (caught up means within a minute).
      await send(SHOP_B, "r1");
      await watch.pass();
      expect(watch.status().shopsBehind).toBe(1);

      // Another instance (or this one, restarted) takes over: it knows from the store that B was told, and tells B it caught up.
      const restarted = createReceiptWatch({ database, metrics, outages: served(trackers()), log: silentLog, now: () => now });
      await send(SHOP_B, "r2");
      await send(SHOP_A, "a1");
      await restarted.pass();
      await restarted.pass();
      expect(restarted.status()).toEqual({ behind: false, shopsBehind: 0, queued: 0, lateSeconds: 0 });
      expect((await notes()).map((n) => [n.merchantId, n.chatId, n.state])).toEqual([[SHOP_B, ADMINS[SHOP_B], "down"], [SHOP_B, ADMINS[SHOP_B], "up"]]);
      expect(await gauge(metrics.notificationQueueLag, "customers")).toBe(0);
    });
  });
}
