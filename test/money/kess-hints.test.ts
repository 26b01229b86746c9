import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/config/config.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import { createKessProvider } from "../../src/payments/providers/kess/kess.js";
import { makeSign } from "../../src/payments/providers/kess/kess-signing.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { eventually, silentLog, startCore, userFor, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/**
 * KESS over loopback, through the payment core's HTTP server and poller: a SUCCESS order without a
 * transaction_id is credited once however often it is delivered, and a flood of notifications for
 * one order costs a handful of queryOrder calls, not one each.
 */

const PANEL_KEY = "kess-hints-panel-key";
const LOGIN = "kess_hints";
const QUERY_ORDER = "webpay.acquire.queryOrder";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`KESS notifications are hints (${dialect.name})`, () => {
    let database: TestDatabase;
    let sim: KessSimulator;
    let panelSim: PanelSimulator;
    let core: Core;
    let telegramId = 71_000_000n;

    beforeAll(async () => {
      database = await dialect.fresh();
      sim = await startKessSimulator();
      panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { [LOGIN]: 0 } });
      const kess = createKessProvider(sim.config(), { log: silentLog, queryIntervalMs: 5_000 });
      const providers = new Map<ProviderName, PaymentProvider>([["kess", kess]]);
      const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" });
      core = await startCore({ database, providers, panel });
      sim.setWebhookUrl(`${core.url}/webhooks/kess`);
    }, 60_000);

    afterAll(async () => {
      await core?.stop();
      await sim?.close();
      await panelSim?.close();
      await database?.drop();
    });

    async function newTopUp(amountMinor: number) {
      const userId = await userFor(database, LOGIN, telegramId++);
      const started = await core.topUps.start({ userId, chatId: telegramId, amountMinor, provider: "kess" });
      if (!started.ok) throw new Error(`top-up not started: ${started.reason}`);
      return started.topUp;
    }

    async function creditedOnce(topUpId: number, reference: string) {
      await eventually(async () => (await database.db.topUp.findUniqueOrThrow({ where: { id: topUpId } })).status === "CREDITED", `top-up ${reference} credited`);
      const payments = await database.db.payment.findMany({ where: { topUpId } });
      const credits = await database.db.credit.findMany({ where: { topUpId } });
      expect(credits.map((c) => c.status)).toEqual(["DONE"]);
      expect(panelSim.payments.filter((p) => p.memo.includes(reference))).toHaveLength(1);
      return payments;
    }

    it("a SUCCESS order without a transaction_id, delivered twice, is one payment keyed on out_trade_no, credited once", async () => {
      const topUp = await newTopUp(700);
      Object.assign(sim.webhookFaults, { mode: "duplicate" });
      try {
        await sim.pay({ reference: topUp.reference, withoutTransactionId: true });
      } finally {
        Object.assign(sim.webhookFaults, { mode: "none" });
      }
      const payments = await creditedOnce(topUp.id, topUp.reference);
      expect(payments.map((p) => [p.providerTxnId, p.amountMinor, p.flag])).toEqual([[`order:${topUp.reference}`, 700, "OK"]]);
      const adminNote = await database.db.notification.findUnique({ where: { merchantId_dedupeKey: { merchantId: DEFAULT_MERCHANT_ID, dedupeKey: `payment:${payments[0]!.id}@-100` } } });
      expect(adminNote?.kind).toBe("admin.payment");

      // Asked again (the customer's "check", another late notification): still that one payment.
      await core.topUps.check(topUp, "webhook");
      await postNotification(notification(topUp.reference));
      expect(await database.db.payment.count({ where: { topUpId: topUp.id } })).toBe(1);
    });

    it("200 notifications for one order cost a handful of queryOrder calls; a payment right after the flood is still credited", async () => {
      const topUp = await newTopUp(900);
      const before = sim.stats.calls[QUERY_ORDER] ?? 0;
      const statuses = await Promise.all(Array.from({ length: 200 }, () => postNotification(notification(topUp.reference))));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const calls = (sim.stats.calls[QUERY_ORDER] ?? 0) - before;
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(8);
      expect(await database.db.payment.count({ where: { topUpId: topUp.id } })).toBe(0);

      // Paid right after the flood: its notification may be answered from the flood's last call, and the poller finds it.
      await sim.pay({ reference: topUp.reference });
      const payments = await creditedOnce(topUp.id, topUp.reference);
      expect(payments).toHaveLength(1);
    });

    function notification(reference: string): Record<string, unknown> {
      const fields = { out_trade_no: reference, status: "SUCCESS", sign_type: "MD5" };
      return { ...fields, sign: makeSign(fields, sim.config().apiSecret) };
    }

    async function postNotification(body: Record<string, unknown>): Promise<number> {
      const res = await fetch(`${core.url}/webhooks/kess`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      await res.arrayBuffer();
      return res.status;
    }
  });
}
