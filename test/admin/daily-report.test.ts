import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDailyReport } from "../../src/admin/daily-report.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

const CHATS = [-100_123n, 42n];
/** 21:00 in Phnom Penh is 14:00 UTC. */
const AT_21 = 21 * 60;

for (const dialect of dialects) {
  describe.skipIf(!dialect.enabled)(`daily summary scheduling (${dialect.name})`, () => {
    let database: TestDatabase;
    const wakeup = createLocalWakeup();
    const scheduler = (now: string) => createDailyReport({ database: forMerchant(database, DEFAULT_MERCHANT_ID), wakeup, adminChats: CHATS, atMinutes: AT_21, log: silentLog, now: () => new Date(now) });
    const queued = () => database.db.notification.findMany({ where: { kind: "admin.daily" }, orderBy: { id: "asc" } });

    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await wakeup.close();
      await database?.drop();
    });

    it("queues nothing before the local time", async () => {
      await scheduler("2026-03-10T13:59:59Z").pass();
      expect(await queued()).toEqual([]);
    });

    it("queues one summary per admin chat at the time, whatever the number of instances and restarts", async () => {
      await Promise.all(["2026-03-10T14:00:00Z", "2026-03-10T14:00:01Z", "2026-03-10T16:59:00Z"].map((now) => scheduler(now).pass()));
      const restarted = scheduler("2026-03-10T16:59:30Z");
      await restarted.pass();
      await restarted.pass();
      const rows = await queued();
      expect(rows.map((r) => [r.chatId, r.dedupeKey, JSON.parse(r.payload)])).toEqual(
        CHATS.map((chat) => [chat, `daily-report:2026-03-10@${chat}`, { kind: "admin.daily", date: "2026-03-10" }]),
      );
    });

    it("uses the local date: 17:00 UTC is already the next day in Phnom Penh, before its 21:00", async () => {
      await scheduler("2026-03-10T17:30:00Z").pass();
      expect(await queued()).toHaveLength(2);
      await scheduler("2026-03-11T14:00:00Z").pass();
      expect((await queued()).map((r) => JSON.parse(r.payload).date)).toEqual(["2026-03-10", "2026-03-10", "2026-03-11", "2026-03-11"]);
    });
  });
}
