import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createNotifier } from "../../src/jobs/notifier.js";
import { enqueueNotification } from "../../src/ledger/outbox.js";
import { NotificationStatus } from "../../src/ledger/transitions.js";
import { eventually, silentLog } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

describe("stopping the notifier", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshSqlite();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("waits for the message in flight and claims nothing more: the rest stay queued for the next start", async () => {
    for (let i = 0; i < 5; i++) await enqueueNotification(database.db, DEFAULT_MERCHANT_ID, [42n], `stop-${i}`, { kind: "topup.expired", topUpId: i + 1 });
    const sent: number[] = [];
    const notifier = createNotifier(
      {
        database, wakeup: createLocalWakeup(), log: silentLog,
        // A chat the throttler lets through once every 300 ms.
        deliver: async (_chat, payload) => {
          await new Promise((r) => setTimeout(r, 300));
          sent.push((payload as { topUpId: number }).topUpId);
        },
      },
      { sweepMs: 60_000, leaseMs: 60_000, batch: 50 },
    );
    notifier.start();
    await eventually(async () => (await database.db.notification.count({ where: { claimedUntil: { not: null } } })) === 1, "the first message claimed");
    const stopping = Date.now();
    await notifier.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(sent).toEqual([1]);
    const rows = await database.db.notification.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => r.status)).toEqual([NotificationStatus.SENT, ...Array(4).fill(NotificationStatus.QUEUED)]);
    expect(rows.slice(1).every((r) => r.claimedUntil === null)).toBe(true);
  });
});
