import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedgerDatabase, type LedgerDatabase } from "../../src/ledger/hot-path.js";
import { createPgWakeup, type Wakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createCrediter } from "../../src/jobs/crediter.js";
import type { PanelClient } from "../../src/panel/panel-client.js";
import { CreditKind, CreditStatus } from "../../src/ledger/states.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { eventually, FAST_CREDITER, silentLog } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

const API_KEY = "panel-key-four";
const INSTANCES = 4;
const CREDITS = 2_000;
const BATCH = 500;
const ADMIN_CHATS = [-100n];

interface Instance {
  id: string;
  database: LedgerDatabase;
  wakeup: Wakeup;
  crediter: ReturnType<typeof createCrediter>;
  /** Credits the panel accepted from this instance. */
  applied: { count: number };
}

/** The panel client of one instance, counting the credits the panel accepted from it. */
function countingPanel(panel: PanelClient, applied: { count: number }): PanelClient {
  return {
    type: panel.type,
    capabilities: panel.capabilities,
    findCredit: panel.findCredit?.bind(panel),
    async credit(login, amountMinor, memo) {
      const result = await panel.credit(login, amountMinor, memo);
      applied.count++;
      return result;
    },
  };
}

// Each crediter is a separate instance: its own connection pool, LISTEN connection and instance id.
describe.runIf(postgresAvailable)("four crediters share one queue (PostgreSQL)", () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let panelSim: PanelSimulator;
  const instances: Instance[] = [];

  beforeAll(async () => {
    created = await createPostgresDatabase();
    panelSim = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
    const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" });
    for (let i = 0; i < INSTANCES; i++) {
      const database = await openLedgerDatabase(created.url);
      const wakeup = await createPgWakeup(database.pgPool!, silentLog);
      const id = `crediter-${i + 1}`;
      const applied = { count: 0 };
      const crediter = createCrediter(
        {
          database, wakeup, log: silentLog, metrics: createMetrics(), adminChats: ADMIN_CHATS,
          panel: countingPanel(panel, applied),
          outages: createOutageTracker({ db: database.db, merchantId: DEFAULT_MERCHANT_ID, adminChats: ADMIN_CHATS, log: silentLog }),
        },
        { ...FAST_CREDITER, instanceId: id },
      );
      instances.push({ id, database, wakeup, crediter, applied });
    }
  });
  afterAll(async () => {
    for (const { crediter, wakeup, database } of instances) {
      await crediter.stop();
      await wakeup.close();
      await database.close();
    }
    await panelSim?.close();
    if (created) {
      await created.dropDatabase();
    }
  });

  it(`${CREDITS.toLocaleString("en")} queued credits: each applied exactly once, by all four`, async () => {
    const { db } = instances[0]!.database;
    const memos = Array.from({ length: CREDITS }, (_, i) => `FOUR ${String(i + 1).padStart(4, "0")}`);
    const at = new Date();
    for (let i = 0; i < CREDITS; i += BATCH) {
      await db.credit.createMany({
        data: memos.slice(i, i + BATCH).map((memo) => ({
          panelLogin: "alice", amountMinor: 100, currency: "USD", memo, kind: CreditKind.MANUAL, status: CreditStatus.QUEUED, nextAttemptAt: at,
        })),
      });
    }
    const started = Date.now();
    for (const { crediter } of instances) crediter.start();
    instances[0]!.wakeup.notify("credits");
    await eventually(async () => (await db.credit.count({ where: { status: CreditStatus.DONE } })) === CREDITS, "every credit done", 120_000, 250);
    const ms = Date.now() - started;

    const paymentIdOf = new Map<string, string>();
    for (const p of panelSim.payments) {
      expect(paymentIdOf.has(p.memo), `memo ${p.memo} paid twice`).toBe(false);
      paymentIdOf.set(p.memo, String(p.id));
    }
    expect(panelSim.payments).toHaveLength(CREDITS);
    expect([...paymentIdOf.keys()].sort()).toEqual(memos);
    expect(panelSim.balanceOf("alice")).toBe(CREDITS * 100);

    const credits = await db.credit.findMany({ select: { memo: true, status: true, panelPaymentId: true } });
    expect(credits).toHaveLength(CREDITS);
    for (const c of credits) expect(c, c.memo).toEqual({ memo: c.memo, status: CreditStatus.DONE, panelPaymentId: paymentIdOf.get(c.memo) });

    const counts = instances.map((i) => i.applied.count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(CREDITS);
    for (const n of counts) expect(n).toBeGreaterThan(0);
    console.log(`four crediters: ${CREDITS} credits in ${ms} ms, applied per instance ${instances.map((i) => `${i.id}=${i.applied.count}`).join(" ")}, ${panelSim.payments.length} panel payments, 0 memos twice`);
  }, 180_000);
});
