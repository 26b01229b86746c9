import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { eventually, silentLog, startCore, userFor, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const CREDS = { profileId: "p-ledger", profileKey: "k-ledger", webhookApiKey: "w-ledger" };
const API_KEY = "panel-key-ledger";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`exactly once on ${dialect.name}`, () => {
    let database: TestDatabase;
    let sim: RaksmeyPaySimulator;
    let panelSim: PanelSimulator;
    let core: Core;

    beforeAll(async () => {
      database = await dialect.fresh();
      sim = await startRaksmeyPaySimulator({ ...CREDS, merchantName: "Ledger Shop" });
      panelSim = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
      const providers: Providers = new Map([["raksmeypay", createRaksmeyPayProvider({ baseUrl: sim.url, qrTemplate: 2, ...CREDS }, { log: silentLog })]]);
      const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" });
      core = await startCore({ database, providers, panel });
      sim.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);
    });
    afterAll(async () => {
      await core?.stop();
      await sim?.close();
      await panelSim?.close();
      await database?.drop();
    });

    it("100 concurrent deliveries of the same payment make one payment and one credit", async () => {
      const userId = await userFor(database, "alice");
      const started = await core.topUps.start({ userId, chatId: 1n, amountMinor: 1250, provider: "raksmeypay" });
      if (!started.ok) throw new Error(started.reason);
      await sim.pay({ reference: started.topUp.reference, qr: started.payment.qr });
      const delivery = sim.deliveries.at(-1)!;
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body }).then((r) => r.status)),
      );
      expect(new Set(statuses)).toEqual(new Set([200]));
      await eventually(async () => (await database.db.topUp.findUniqueOrThrow({ where: { id: started.topUp.id } })).status === "CREDITED", "credited");
      expect(await database.db.payment.count({ where: { topUpId: started.topUp.id } })).toBe(1);
      expect(await database.db.credit.count({ where: { topUpId: started.topUp.id } })).toBe(1);
      expect(panelSim.payments.filter((p) => p.memo.includes(started.topUp.reference))).toHaveLength(1);
      expect(panelSim.balanceOf("alice")).toBe(1250);
    });

    it("1,000 top-ups each confirmed by webhook and poller at once end in exactly 1,000 credits", async () => {
      const before = panelSim.balanceOf("alice")!;
      const paymentsBefore = panelSim.payments.length;
      const users = await Promise.all(Array.from({ length: 1000 }, (_, i) => userFor(database, "alice", 10_000_000n + BigInt(i))));
      const topUps = [];
      for (const userId of users) {
        const started = await core.topUps.start({ userId, chatId: 1n, amountMinor: 100 + (userId % 7), provider: "raksmeypay" });
        if (!started.ok) throw new Error(started.reason);
        topUps.push(started);
      }
      // Paying sends the webhook while the poller (sweeping every 100 ms) sees the same payments.
      for (let i = 0; i < topUps.length; i += 50) {
        await Promise.all(topUps.slice(i, i + 50).map((t) => sim.pay({ reference: t.topUp.reference, qr: t.payment.qr })));
      }
      const expected = topUps.reduce((s, t) => s + t.topUp.amountMinor, 0);
      const mine = { gte: topUps[0]!.topUp.id, lte: topUps.at(-1)!.topUp.id };
      await eventually(async () => (await database.db.credit.count({ where: { status: "DONE", topUpId: mine } })) === 1000, "1,000 credits done", 120_000);
      expect(await database.db.payment.count({ where: { topUpId: mine } })).toBe(1000);
      expect(panelSim.payments.length - paymentsBefore).toBe(1000);
      expect(panelSim.balanceOf("alice")! - before).toBe(expected);
      const sources = await database.db.payment.groupBy({ by: ["source"], _count: true, where: { topUpId: mine } });
      expect(sources.reduce((s, g) => s + g._count, 0)).toBe(1000);
    }, 180_000);
  });
}
