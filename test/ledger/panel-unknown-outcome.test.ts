import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PanelType } from "../../src/config/config.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { PanelClient } from "../../src/panel/panel-client.js";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator, PanelSimulatorOptions } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { ADMIN_CHAT, startNotesSide } from "../money/notes-side.js";
import { eventually, startCore, userFor, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const API_KEY = "panel-key-unknown-outcome";
const CUSTOMER = 7_001;
const START_BALANCE = 50_000;

/** A provider that is only a name: payments are observed directly, as a verified webhook would hand them over. */
const quietProvider: PaymentProvider = {
  name: "bakong",
  capabilities: { presentation: "qr", statusApi: false, webhook: false, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 },
  create: async () => ({ qr: "000201" }),
};

let seq = 0;

/**
 * Issue 18 item 5: a failure status to a credit that was sent is an unknown outcome. The crediter reconciles it
 * by memo where the panel lists payments (v2) and holds it for an admin where it cannot (v1, SocPanel); only
 * answers that prove the panel never took the request are retried.
 */
for (const dialect of dialects) {
  for (const panelType of ["perfectpanel", "perfectpanel-v1", "socpanel"] as const satisfies readonly PanelType[]) {
    describe.runIf(dialect.enabled)(`an unknown credit outcome on ${panelType}, ${dialect.name}`, () => {
      let database: TestDatabase;
      let panelSim: PanelSimulator;
      let panel: PanelClient;
      let core: Core;
      let notes: Awaited<ReturnType<typeof startNotesSide>>;
      const startSim = (opts: Partial<PanelSimulatorOptions> = {}) =>
        panelType === "socpanel"
          ? startSocPanelSimulator({ apiKey: API_KEY, users: { alice: START_BALANCE }, ...opts })
          : startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: START_BALANCE }, ...opts });

      beforeAll(async () => {
        database = await dialect.fresh();
        panelSim = await startSim();
        panel = createPanelClient({ type: panelType, url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" }, { timeouts: { readMs: 1_000, writeMs: 1_000 } });
        const providers: Providers = new Map([["bakong", quietProvider]]);
        core = await startCore({ database, providers, panel, poller: false, crediter: { leaseMs: 5_000, reconcileDelayMs: 400 } });
        notes = await startNotesSide({
          database, wakeup: core.wakeup, panel, panelUrl: panelSim.url, panelKey: API_KEY, shop: "Unknown Outcome Shop",
          customer: { id: CUSTOMER, first_name: "Alice" }, start: false,
        });
      });
      afterAll(async () => {
        await notes?.stop();
        await core?.stop();
        await panelSim?.close();
        await database?.drop();
      });
      beforeEach(async () => {
        panelSim.resetFaults();
        // Each test starts with nothing waiting for the notifier and a known panel balance.
        await database.db.notification.updateMany({ where: { status: { not: "SENT" } }, data: { status: "SENT", sentAt: new Date() } });
        panelSim.users.set("alice", START_BALANCE);
        panelSim.payments.length = 0;
      });

      async function paidTopUp(amountMinor = 1000) {
        const userId = await userFor(database, "alice");
        const started = await core.topUps.start({ userId, chatId: BigInt(CUSTOMER), amountMinor, provider: "bakong" });
        if (!started.ok) throw new Error(started.reason);
        const txn = `txn-unknown-${dialect.name}-${panelType}-${++seq}`;
        const outcome = await recordPayment(core.ledger, { provider: "bakong", providerTxnId: txn, reference: started.topUp.reference, amountMinor, currency: "USD", raw: {} }, { source: "webhook", signed: true });
        expect(outcome.outcome).toBe("recorded");
        return started.topUp;
      }
      const creditOf = (topUpId: number) => database.db.credit.findFirstOrThrow({ where: { topUpId } });
      const topUpStatus = async (topUpId: number) => (await database.db.topUp.findUniqueOrThrow({ where: { id: topUpId } })).status;
      const settled = (topUpId: number, timeoutMs = 20_000) => eventually(async () => {
        const c = await creditOf(topUpId);
        return c.status === "DONE" || c.status === "HELD" ? c : null;
      }, "credit settled", timeoutMs);
      const heldNotes = (creditId: number) =>
        database.db.notification.count({ where: { kind: "admin.held", chatId: BigInt(ADMIN_CHAT), payload: { contains: `"creditId":${creditId}}` } } });

      it.each([502, 520, 500])("the panel applies the credit, then answers HTTP %i: credited exactly once", async (status) => {
        panelSim.setFault("statusAfter", 1, [status]);
        const topUp = await paidTopUp();
        if (panelType === "perfectpanel") {
          // Reconciled by memo: the panel's payment list shows the credit was applied.
          const reconciling = await eventually(async () => {
            const c = await creditOf(topUp.id);
            return c.status === "RECONCILE" ? c : null;
          }, "credit waiting to be reconciled");
          expect(reconciling.errorKind).toBe("unknown");
          expect(reconciling.lastError).toMatch(new RegExp(`HTTP ${status} .*may have been applied`));
          const credit = await settled(topUp.id);
          expect(credit.status).toBe("DONE");
          expect(credit.panelPaymentId).toBe(String(panelSim.payments[0]!.id));
          expect(await topUpStatus(topUp.id)).toBe("CREDITED");
          expect(await heldNotes(credit.id)).toBe(0);
        } else {
          const credit = await settled(topUp.id);
          expect(credit.status).toBe("HELD");
          expect(credit.errorKind).toBe("unknown");
          expect(credit.lastError).toMatch(new RegExp(`^outcome unknown \\(panel answered HTTP ${status} .*may have been applied\\)`));
          if (panelType === "perfectpanel-v1") expect(credit.lastError).toContain(`memo "${credit.memo}"`);
          else expect(credit.lastError).toContain("keeps no memo: check whether alice's balance went up by 10.00 USD before re-crediting");
          expect(await topUpStatus(topUp.id)).toBe("HELD");
          expect(await heldNotes(credit.id)).toBe(1);
        }
        // A held credit is never sent again by itself; a reconciled one was found: either way, once.
        await new Promise((r) => setTimeout(r, 600));
        expect(panelSim.payments).toHaveLength(1);
        expect(panelSim.balanceOf("alice")).toBe(START_BALANCE + 1000);
      });

      it("HTTP 521, 522, 523, 525 and 526 (the panel never reached) are retried and credited once", async () => {
        const statuses = [521, 522, 523, 525, 526];
        panelSim.setFault("statusBefore", statuses.length, statuses);
        const topUps = [];
        for (let i = 0; i < statuses.length; i++) topUps.push(await paidTopUp(1000 + i));
        const credits = [];
        for (const t of topUps) credits.push(await settled(t.id));
        expect(credits.map((c) => c.status)).toEqual(statuses.map(() => "DONE"));
        expect(credits.map((c) => c.errorKind)).toEqual(statuses.map(() => "unavailable"));
        expect(credits.reduce((sum, c) => sum + c.attempts, 0)).toBe(statuses.length);
        expect(panelSim.faults.remaining).toBe(0);
        expect(panelSim.payments.map((p) => p.amountMinor).sort()).toEqual([1000, 1001, 1002, 1003, 1004]);
        expect(panelSim.balanceOf("alice")).toBe(START_BALANCE + 5010);
        for (const c of credits) expect(await heldNotes(c.id)).toBe(0);
      });

      it("a refused connection is retried and credited once when the panel comes back", async () => {
        const port = Number(new URL(panelSim.url).port);
        await panelSim.close();
        const topUp = await paidTopUp();
        const waiting = await eventually(async () => {
          const c = await creditOf(topUp.id);
          return c.status === "QUEUED" && c.attempts >= 1 ? c : null;
        }, "a failed attempt");
        expect(waiting.errorKind).toBe("unavailable");
        expect(waiting.lastError).toMatch(/nothing was sent/);
        panelSim = await startSim({ port });
        const credit = await settled(topUp.id);
        expect(credit.status).toBe("DONE");
        expect(panelSim.payments).toHaveLength(1);
        expect(panelSim.balanceOf("alice")).toBe(START_BALANCE + 1000);
      });

      if (panelType === "perfectpanel") return;

      it("an outage of 6 payments reaches the admins as one digest, not 6 notes", async () => {
        panelSim.setFault("statusBefore", Infinity, [502]);
        const topUps = [];
        for (let i = 0; i < 6; i++) topUps.push(await paidTopUp(500 + i));
        const credits = [];
        for (const t of topUps) credits.push(await settled(t.id));
        expect(credits.map((c) => c.status)).toEqual(topUps.map(() => "HELD"));
        expect(panelSim.payments).toHaveLength(0);
        for (const c of credits) expect(await heldNotes(c.id)).toBe(1);
        const before = notes.texts(ADMIN_CHAT).length;

        await notes.notifier.pass();

        const admin = notes.texts(ADMIN_CHAT).slice(before);
        expect(admin).toHaveLength(1);
        expect(admin[0]).toContain("6 payments, 30.15 USD");
        expect(admin[0]).toContain("6 held for an admin");
        for (const t of topUps) expect(admin[0]).toMatch(new RegExp(`• ${t.reference} .* via bakong: outcome unknown \\(panel answered HTTP 502`));
        expect(notes.texts(CUSTOMER).filter((t) => t.includes("needs to check it"))).toHaveLength(6);
        expect(await database.db.notification.count({ where: { status: { not: "SENT" } } })).toBe(0);
      });
    });
  }
}
