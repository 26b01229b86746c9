import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PanelType } from "../../src/config/config.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { eventually, startCore, userFor, type Core } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

const API_KEY = "panel-key-faults";

/** A provider that is only a name: payments are observed directly, as a verified webhook would hand them over. */
const quietProvider: PaymentProvider = {
  name: "bakong",
  capabilities: { presentation: "qr", statusApi: false, webhook: false, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 },
  create: async () => ({ qr: "000201" }),
};

let seq = 0;

for (const panelType of ["perfectpanel", "perfectpanel-v1", "socpanel"] as const satisfies readonly PanelType[]) {
  describe(`crediter against ${panelType} faults`, () => {
    let database: TestDatabase;
    let panelSim: PanelSimulator;
    let core: Core;

    beforeAll(async () => {
      database = await freshSqlite();
      panelSim = panelType === "socpanel" ? await startSocPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } }) : await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
      const panel = createPanelClient({ type: panelType, url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" }, { timeouts: { readMs: 500, writeMs: 500 } });
      const providers: Providers = new Map([["bakong", quietProvider]]);
      core = await startCore({ database, providers, panel, poller: false, crediter: { leaseMs: 3_000, reconcileDelayMs: 600 } });
    });
    afterEach(() => panelSim.resetFaults());
    afterAll(async () => {
      await core?.stop();
      await panelSim?.close();
      await database?.drop();
    });

    async function paidTopUp(login = "alice", amountMinor = 1000) {
      const userId = await userFor(database, login);
      const started = await core.topUps.start({ userId, chatId: 1n, amountMinor, provider: "bakong" });
      if (!started.ok) throw new Error(started.reason);
      const outcome = await recordPayment(core.ledger, { provider: "bakong", providerTxnId: `txn-${panelType}-${++seq}`, reference: started.topUp.reference, amountMinor, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      expect(outcome.outcome).toBe("recorded");
      return started.topUp;
    }

    const creditOf = (topUpId: number) => database.db.credit.findFirstOrThrow({ where: { topUpId } });
    // SocPanel takes no memo, so count what each test adds to the panel's own payment list.
    let paymentsBefore = 0;
    beforeEach(() => {
      paymentsBefore = panelSim.payments.length;
    });
    const panelCredits = (reference: string) =>
      panelType === "socpanel" ? panelSim.payments.length - paymentsBefore : panelSim.payments.filter((p) => p.memo.includes(reference)).length;
    const settled = (topUpId: number) => eventually(async () => {
      const c = await creditOf(topUpId);
      return c.status === "DONE" || c.status === "HELD" ? c : null;
    }, "credit settled");

    it("a 521 (the panel never reached) then success credits once", async () => {
      panelSim.setFault("statusBefore", 1, [521]);
      const topUp = await paidTopUp();
      const credit = await eventually(async () => (await creditOf(topUp.id)).status === "DONE" && creditOf(topUp.id), "credited", 20_000);
      expect(credit.attempts).toBe(1);
      expect(credit.errorKind).toBe("unavailable");
      expect(panelCredits(topUp.reference)).toBe(1);
    });

    it("a 500 is an unknown outcome: sent again only where the memo proves it absent", async () => {
      panelSim.setFault("http500", 1);
      const topUp = await paidTopUp();
      const credit = await settled(topUp.id);
      expect(credit.errorKind).toBe("unknown");
      if (panelType === "perfectpanel") {
        expect(credit.status).toBe("DONE");
        expect(panelCredits(topUp.reference)).toBe(1);
      } else {
        expect(credit.status).toBe("HELD");
        expect(credit.lastError).toMatch(/^outcome unknown \(panel answered HTTP 500/);
        expect(panelCredits(topUp.reference)).toBe(0);
      }
    });

    it("a timeout after the panel applied the credit never doubles it", async () => {
      panelSim.setFault("timeoutAfter", 1);
      const topUp = await paidTopUp();
      const credit = await settled(topUp.id);
      expect(panelCredits(topUp.reference)).toBe(1);
      if (panelType === "perfectpanel") {
        // Reconciled by memo from the panel's payment list.
        expect(credit.status).toBe("DONE");
        expect((await database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe("CREDITED");
      } else {
        expect(credit.status).toBe("HELD");
        expect(credit.lastError).toMatch(/outcome unknown/);
        // SocPanel keeps no memo: the note names what to look for instead.
        expect(credit.lastError).toContain(panelType === "socpanel" ? "check whether alice's balance went up by 10.00 USD" : credit.memo);
        expect(await database.db.notification.count({ where: { kind: "admin.held", payload: { contains: `"creditId":${credit.id}` } } })).toBe(1);
      }
    });

    it("a timeout before the panel applied anything is retried only where the memo proves it absent", async () => {
      panelSim.setFault("timeoutBefore", 1);
      const topUp = await paidTopUp();
      const credit = await settled(topUp.id);
      if (panelType === "perfectpanel") {
        expect(credit.status).toBe("DONE");
        expect(panelCredits(topUp.reference)).toBe(1);
      } else {
        expect(credit.status).toBe("HELD");
        expect(panelCredits(topUp.reference)).toBe(0);
      }
    });

    it("a rejected key holds the credit with a readable reason", async () => {
      panelSim.setFault("rejectKey", 1);
      const topUp = await paidTopUp();
      const credit = await settled(topUp.id);
      expect(credit.status).toBe("HELD");
      expect(credit.errorKind).toBe("rejected");
      expect(credit.lastError).toMatch(/PANEL_API_KEY/);
      expect(credit.lastError).not.toContain(API_KEY);
      expect(panelCredits(topUp.reference)).toBe(0);
    });

    it("an unknown panel user holds the credit, and a recredit after relinking pays the new login once", async () => {
      const topUp = await paidTopUp("ghost");
      const credit = await settled(topUp.id);
      expect(credit.status).toBe("HELD");
      if (panelType !== "socpanel") expect(credit.lastError).toMatch(/not found/i);
      const user = await database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } });
      await database.db.user.update({ where: { id: user.userId }, data: { panelLogin: "alice" } });
      await database.db.credit.update({ where: { id: credit.id }, data: { status: "QUEUED", panelLogin: "alice", nextAttemptAt: new Date() } });
      core.wakeup.notify("credits");
      await eventually(async () => (await creditOf(topUp.id)).status === "DONE", "credited after relink");
      expect(panelCredits(topUp.reference)).toBe(1);
    });
  });
}
