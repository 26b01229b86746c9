import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createCrediter, type CreditMerchant } from "../../src/jobs/crediter.js";
import type { WorkLoop } from "../../src/jobs/loop.js";
import { CreditKind, CreditStatus } from "../../src/ledger/states.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { eventually, FAST_CREDITER, silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

/*
 * Issue 22, fairness: shop A's panel hangs (every call held open, nothing applied) while both shops have credits
 * queued, A's older. Each merchant has at most its share of the crediter's panel calls in flight, so B's credits are
 * all applied while A's stay in flight, however many of A's are due first.
 */
const SHOP_A = 1;
const SHOP_B = 2;
const CONCURRENCY = 4;
const PER_MERCHANT = 2;
const CREDITS_EACH = 12;

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`one shop's hanging panel leaves another's credits alone (${dialect.name})`, () => {
    let database: TestDatabase;
    let panelA: PanelSimulator;
    let panelB: PanelSimulator;
    let crediter: WorkLoop;

    beforeEach(async () => {
      database = await dialect.fresh();
      panelA = await startPerfectPanelSimulator({ apiKey: "shop-a-key", users: { dara: 0 } });
      panelB = await startPerfectPanelSimulator({ apiKey: "shop-b-key", users: { bopha: 0 } });
    });

    afterEach(async () => {
      // Closing A's panel releases its held calls; the crediter then stops with nothing in flight.
      await panelA?.close();
      await crediter?.stop();
      await panelB?.close();
      await database?.drop();
    });

    // By default longer than the test: a hanging call stays in flight until A's panel is closed.
    function merchant(id: number, sim: PanelSimulator, apiKey: string, timeoutMs = 120_000): CreditMerchant {
      const adminChats = [BigInt(-100 - id)];
      return {
        panel: createPanelClient({ type: "perfectpanel", url: sim.url, apiKey, paymentMethod: "KHQR", currency: "USD" }, { log: silentLog, timeouts: { readMs: timeoutMs, writeMs: timeoutMs } }),
        outages: createOutageTracker({ db: database.db, merchantId: id, adminChats, log: silentLog }),
        adminChats,
      };
    }

    async function queue(merchantId: number, login: string, count: number, at: Date): Promise<void> {
      await database.db.credit.createMany({
        data: Array.from({ length: count }, (_, i) => ({
          merchantId, panelLogin: login, amountMinor: 100, currency: "USD", memo: `KHQR fair-${merchantId}-${i}`, kind: CreditKind.MANUAL,
          status: CreditStatus.QUEUED, nextAttemptAt: new Date(at.getTime() + i), createdAt: at,
        })),
      });
    }

    it("credits every one of B's while A's panel holds A's share of the calls", async () => {
      panelA.setFault("timeoutBefore");
      const now = Date.now();
      await queue(SHOP_A, "dara", CREDITS_EACH, new Date(now - 60_000));
      await queue(SHOP_B, "bopha", CREDITS_EACH, new Date(now - 30_000));
      const merchants = new Map([[SHOP_A, merchant(SHOP_A, panelA, "shop-a-key")], [SHOP_B, merchant(SHOP_B, panelB, "shop-b-key")]]);
      const ids = [...merchants.keys()];
      crediter = createCrediter(
        { database, merchants: { get: (id) => merchants.get(id), ids: () => ids }, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics() },
        { ...FAST_CREDITER, concurrency: CONCURRENCY, perMerchant: PER_MERCHANT, instanceId: "fair" },
      );
      crediter.start();

      const count = (merchantId: number, status: string) => database.db.credit.count({ where: { merchantId, status } });
      await eventually(async () => (await count(SHOP_B, CreditStatus.DONE)) === CREDITS_EACH, "all of B's credits applied", 30_000);
      expect(panelB.payments).toHaveLength(CREDITS_EACH);
      // A's: exactly its share in flight, held by its panel; none applied, the rest still queued.
      expect(await count(SHOP_A, CreditStatus.SENDING)).toBe(PER_MERCHANT);
      expect(await count(SHOP_A, CreditStatus.DONE)).toBe(0);
      expect(await count(SHOP_A, CreditStatus.QUEUED)).toBe(CREDITS_EACH - PER_MERCHANT);
      expect(panelA.payments).toHaveLength(0);
    }, 60_000);

    it("with the adaptive limit, A's timing-out panel lowers A's limit only: B's panel sees its calls rise as if alone", async () => {
      // A's calls time out after 300 ms, again and again (each one's outcome unknown, reconciled by a memo search that times out too).
      panelA.setFault("timeoutBefore", Infinity);
      panelB.faults.slowMs = 100;
      const now = Date.now();
      await queue(SHOP_A, "dara", 40, new Date(now - 60_000));
      await queue(SHOP_B, "bopha", 60, new Date(now - 30_000));
      const merchants = new Map([[SHOP_A, merchant(SHOP_A, panelA, "shop-a-key", 300)], [SHOP_B, merchant(SHOP_B, panelB, "shop-b-key")]]);
      const ids = [...merchants.keys()];
      crediter = createCrediter(
        { database, merchants: { get: (id) => merchants.get(id), ids: () => ids }, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics() },
        { ...FAST_CREDITER, concurrency: { adaptiveMax: 32 }, perMerchant: 16, instanceId: "fair-adaptive" },
      );
      crediter.start();

      const count = (merchantId: number, status: string) => database.db.credit.count({ where: { merchantId, status } });
      await eventually(async () => (await count(SHOP_B, CreditStatus.DONE)) === 60, "all of B's credits applied", 45_000);
      // B's limit started at 4 and rose on B's healthy answers; one limit for both would have been pulled down by A's timeouts.
      expect(panelB.traffic.peakInFlight).toBeGreaterThan(4);
      expect(panelB.payments).toHaveLength(60);
      expect(await count(SHOP_A, CreditStatus.DONE)).toBe(0);
    }, 60_000);
  });
}
