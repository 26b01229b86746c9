import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/config/config.js";
import type { TopUp } from "../../src/generated/sqlite/client.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { RecordOutcome } from "../../src/ledger/observation.js";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import { createKessProvider } from "../../src/payments/providers/kess/kess.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { topUpRef } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { postWebhook } from "../../sandbox/providers/webhook-sender.js";
import { eventually, silentLog, startCore, userFor, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

/**
 * A payment seen by polling before its provider names the bank transaction (RaksmeyPay's Verify API
 * names none; a KESS order may carry no transaction_id yet) is recorded under a placeholder key. When
 * the transaction is named later, in either order, it is still one payment credited once; only a new
 * transaction is a second payment. Over loopback: simulators, core, panel simulator, real databases.
 */

const PANEL_KEY = "named-later-panel-key";
const LOGIN = "named_later";
const RAKSMEY = { profileId: "p-named", profileKey: "k-named", webhookApiKey: "w-named" };
/** Nothing listens here: a webhook sent to it is kept in the simulator's deliveries, to be posted later. */
const NOWHERE = "http://127.0.0.1:1/webhooks/raksmeypay";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`a payment named later is still one payment (${dialect.name})`, () => {
    let database: TestDatabase;
    let raksmey: RaksmeyPaySimulator;
    let kessSim: KessSimulator;
    let panelSim: PanelSimulator;
    let core: Core;
    let providers: Map<ProviderName, PaymentProvider>;
    let telegramId = 72_000_000n;

    beforeAll(async () => {
      database = await dialect.fresh();
      raksmey = await startRaksmeyPaySimulator({ ...RAKSMEY, merchantName: "Named Shop" });
      kessSim = await startKessSimulator();
      panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { [LOGIN]: 0 } });
      providers = new Map<ProviderName, PaymentProvider>([
        // No grace: a poll records at once, as it does when the webhook is later than the grace.
        ["raksmeypay", createRaksmeyPayProvider({ baseUrl: raksmey.url, qrTemplate: 2, ...RAKSMEY }, { log: silentLog, pollGraceMs: 0 })],
        ["kess", createKessProvider(kessSim.config(), { log: silentLog })],
      ]);
      const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" });
      core = await startCore({ database, providers, panel, poller: false });
      kessSim.setWebhookUrl(`${core.url}/webhooks/kess`);
    }, 60_000);

    afterAll(async () => {
      await core?.stop();
      await Promise.all([raksmey?.close(), kessSim?.close(), panelSim?.close()]);
      await database?.drop();
    });

    async function newTopUp(provider: "raksmeypay" | "kess", amountMinor: number): Promise<TopUp> {
      const userId = await userFor(database, LOGIN, telegramId++);
      const started = await core.topUps.start({ userId, chatId: telegramId, amountMinor, provider });
      if (!started.ok) throw new Error(`top-up not started: ${started.reason}`);
      return started.topUp;
    }

    const paymentsOf = (topUpId: number) => database.db.payment.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
    const creditsOf = (topUpId: number) => database.db.credit.count({ where: { topUpId } });
    /** Notes about payments (the crediter's own notes come and go with crediting). */
    const notes = () => database.db.notification.count({ where: { OR: [{ dedupeKey: { startsWith: "payment:" } }, { dedupeKey: { startsWith: "held-payment:" } }] } });
    const panelCredits = (reference: string) => panelSim.payments.filter((p) => p.memo.includes(reference)).length;
    const creditedOnPanel = (reference: string, count: number) => eventually(async () => panelCredits(reference) === count, `${count} panel credit(s) for ${reference}`);

    /** What a poll that asked the provider now would record (a poll in flight while the webhook lands). */
    async function pollObservation(provider: ProviderName, topUp: TopUp) {
      const [result] = await providers.get(provider)!.checkStatus!([topUpRef(topUp)]);
      if (result?.state !== "paid") throw new Error(`expected a paid status, got ${result?.state}`);
      return result.observations[0]!;
    }

    /** Pays the QR with the webhook held back; returns a function that posts it to the core. */
    async function payWithLateWebhook(topUp: TopUp): Promise<{ bakongHash: string; deliver: () => Promise<number | undefined> }> {
      raksmey.setWebhookUrl(NOWHERE);
      const { providerTxnId } = await raksmey.pay({ reference: topUp.reference });
      const held = raksmey.deliveries.at(-1)!;
      expect(held.error).toBeDefined();
      raksmey.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);
      return { bakongHash: providerTxnId, deliver: async () => (await postWebhook(`${core.url}/webhooks/raksmeypay`, held.headers, held.body)).status };
    }

    describe("RaksmeyPay", () => {
      it("poll first, then the webhook: one payment under the bank transaction, credited once; a redelivery is a duplicate", async () => {
        const topUp = await newTopUp("raksmeypay", 500);
        const late = await payWithLateWebhook(topUp);

        const polled = await core.topUps.check(topUp, "poll");
        expect(polled.recorded).toMatchObject([{ outcome: "recorded", flag: "OK" }]);
        expect((await paymentsOf(topUp.id)).map((p) => p.providerTxnId)).toEqual([topUp.reference]);
        const notesBefore = await notes();

        expect(await late.deliver()).toBe(200);
        const [payment, ...more] = await paymentsOf(topUp.id);
        expect(more).toHaveLength(0);
        expect(payment).toMatchObject({ providerTxnId: late.bakongHash, amountMinor: 500, currency: "USD", flag: "OK", source: "poll" });
        expect(await creditsOf(topUp.id)).toBe(1);
        expect(await notes()).toBe(notesBefore);

        expect(await late.deliver()).toBe(200);
        expect(await paymentsOf(topUp.id)).toHaveLength(1);
        expect(await creditsOf(topUp.id)).toBe(1);
        await creditedOnPanel(topUp.reference, 1);
      });

      it("the webhook first, then a poll that was in flight: the poll is a duplicate of the webhook's payment", async () => {
        const topUp = await newTopUp("raksmeypay", 600);
        const poll = pollObservation.bind(null, "raksmeypay", topUp);
        const { providerTxnId } = await raksmey.pay({ reference: topUp.reference });
        const [payment] = await eventually(async () => {
          const rows = await paymentsOf(topUp.id);
          return rows.length > 0 && rows;
        }, "the webhook's payment recorded");

        const outcome: RecordOutcome = await recordPayment(core.ledger, await poll(), { source: "poll", signed: true });
        expect(outcome).toEqual({ outcome: "duplicate", paymentId: payment!.id });
        expect((await paymentsOf(topUp.id)).map((p) => p.providerTxnId)).toEqual([providerTxnId]);
        expect(await creditsOf(topUp.id)).toBe(1);
        await creditedOnPanel(topUp.reference, 1);
      });

      it("poll, webhook, then the same QR paid again (a new bakong_hash): two payments, the second a credited REPEAT", async () => {
        const topUp = await newTopUp("raksmeypay", 700);
        const late = await payWithLateWebhook(topUp);
        await core.topUps.check(topUp, "poll");
        expect(await late.deliver()).toBe(200);

        const again = await raksmey.pay({ reference: topUp.reference });
        const payments = await eventually(async () => {
          const rows = await paymentsOf(topUp.id);
          return rows.length === 2 && rows;
        }, "the second payment recorded");
        expect(payments.map((p) => [p.providerTxnId, p.flag])).toEqual([[late.bakongHash, "OK"], [again.providerTxnId, "REPEAT"]]);
        expect(await creditsOf(topUp.id)).toBe(2);
        await creditedOnPanel(topUp.reference, 2);

        // A poll still in flight from before names the first payment again: nothing new.
        const outcome = await recordPayment(core.ledger, await pollObservation("raksmeypay", topUp), { source: "poll", signed: true });
        expect(outcome).toMatchObject({ outcome: "duplicate", paymentId: payments[0]!.id });
        expect(await paymentsOf(topUp.id)).toHaveLength(2);
      });

      it("a named transaction of another amount than the polled one is not taken for it", async () => {
        const topUp = await newTopUp("raksmeypay", 800);
        await raksmey.pay({ reference: topUp.reference });
        const polled = await pollObservation("raksmeypay", topUp);
        const first = await eventually(async () => (await paymentsOf(topUp.id))[0], "the webhook's payment recorded");
        // The same top-up as a fresh poll of a different amount would see it: a payment of its own.
        const outcome = await recordPayment(core.ledger, { ...polled, amountMinor: 801 }, { source: "poll", signed: true });
        expect(outcome).toMatchObject({ outcome: "held", flag: "OVERPAID" });
        expect((await paymentsOf(topUp.id)).map((p) => p.id)).toEqual([first.id, (outcome as { paymentId: number }).paymentId]);
      });
    });

    describe("deliveries at the same time", () => {
      const observed = (topUp: TopUp, providerTxnId: string) => ({ provider: "raksmeypay" as const, providerTxnId, reference: topUp.reference, amountMinor: topUp.amountMinor, currency: "USD" as const, raw: {} });

      it("one bank transaction delivered five times at once after the poll: renamed once, all five duplicates", async () => {
        const topUp = await newTopUp("raksmeypay", 1_200);
        const polled = await recordPayment(core.ledger, observed(topUp, topUp.reference), { source: "poll", signed: true });
        expect(polled.outcome).toBe("recorded");
        const outcomes = await Promise.all(Array.from({ length: 5 }, () => recordPayment(core.ledger, observed(topUp, "aa".repeat(32)), { source: "webhook", signed: true })));
        expect(outcomes.every((o) => o.outcome === "duplicate" && o.paymentId === (polled as { paymentId: number }).paymentId)).toBe(true);
        expect(outcomes.filter((o) => o.outcome === "duplicate" && o.rekeyed)).toHaveLength(1);
        expect((await paymentsOf(topUp.id)).map((p) => p.providerTxnId)).toEqual(["aa".repeat(32)]);
        expect(await creditsOf(topUp.id)).toBe(1);
      });

      it("two bank transactions at once after the poll: one takes the polled payment over, the other is a REPEAT", async () => {
        const topUp = await newTopUp("raksmeypay", 1_300);
        await recordPayment(core.ledger, observed(topUp, topUp.reference), { source: "poll", signed: true });
        const outcomes = await Promise.all(["bb", "cc"].map((h) => recordPayment(core.ledger, observed(topUp, h.repeat(32)), { source: "webhook", signed: true })));
        expect(outcomes.map((o) => o.outcome).sort()).toEqual(["duplicate", "recorded"]);
        const payments = await paymentsOf(topUp.id);
        expect(payments.map((p) => p.flag)).toEqual(["OK", "REPEAT"]);
        expect(payments.map((p) => p.providerTxnId).sort()).toEqual(["bb".repeat(32), "cc".repeat(32)]);
        expect(await creditsOf(topUp.id)).toBe(2);
      });
    });

    describe("any order of polls and webhooks", () => {
      const ORDER_MINOR = 1_500;
      /** Our reference (a poll) or one of four bank transactions; the last is of another amount than ordered. */
      const sighting = fc.record({ key: fc.constantFrom("poll", "h0", "h1", "h2", "h3"), pollAmount: fc.constantFrom(ORDER_MINOR, ORDER_MINOR - 100) });
      let run = 0;

      it("every bank transaction ends as exactly one row, a polled payment is never counted beside its transaction, one credit per row", async () => {
        const userId = await userFor(database, LOGIN, telegramId++);
        await fc.assert(
          fc.asyncProperty(fc.array(sighting, { minLength: 1, maxLength: 8 }), async (sightings) => {
            const reference = `9${String(++run).padStart(6, "0")}`;
            const topUp = await database.db.topUp.create({
              data: { reference, userId, chatId: 1n, provider: "raksmeypay", currency: "USD", amountMinor: ORDER_MINOR, panelLogin: LOGIN, status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
            });
            const named = new Set<string>();
            let added = 0;
            for (const s of sightings) {
              const providerTxnId = s.key === "poll" ? reference : `${s.key}-${reference}`;
              const amountMinor = s.key === "poll" ? s.pollAmount : s.key === "h3" ? ORDER_MINOR + 100 : ORDER_MINOR;
              if (s.key !== "poll") named.add(providerTxnId);
              const outcome = await recordPayment(core.ledger, { provider: "raksmeypay", providerTxnId, reference, amountMinor, currency: "USD", raw: {} }, { source: s.key === "poll" ? "poll" : "webhook", signed: true });
              const rows = await paymentsOf(topUp.id);
              if (outcome.outcome === "duplicate") expect(rows.map((r) => r.id)).toContain(outcome.paymentId);
              else added++;
              expect(rows).toHaveLength(added);
            }
            const rows = await paymentsOf(topUp.id);
            for (const key of named) expect(rows.filter((r) => r.providerTxnId === key)).toHaveLength(1);
            const unnamed = rows.filter((r) => r.providerTxnId === reference);
            expect(rows).toHaveLength(named.size + unnamed.length);
            expect(unnamed.length).toBeLessThanOrEqual(1);
            // Whatever came first, a polled payment and a bank transaction of the same amount are one payment.
            const namedAmounts = rows.filter((r) => r.providerTxnId !== reference).map((r) => r.amountMinor);
            expect(unnamed.filter((r) => namedAmounts.includes(r.amountMinor))).toEqual([]);
            expect(await creditsOf(topUp.id)).toBe(rows.length);
            expect(rows.slice(1).every((r) => r.flag === "REPEAT" || r.flag === "OVERPAID" || r.flag === "UNDERPAID")).toBe(true);
          }),
          { numRuns: dialect.name === "sqlite" ? 40 : 20 },
        );
      }, 120_000);
    });

    describe("KESS", () => {
      it("an order without transaction_id, named later: one payment re-keyed to the transaction, credited once", async () => {
        const topUp = await newTopUp("kess", 900);
        await kessSim.pay({ reference: topUp.reference, withoutTransactionId: true });
        const [unnamed] = await eventually(async () => {
          const rows = await paymentsOf(topUp.id);
          return rows.length > 0 && rows;
        }, "the order's payment recorded");
        expect(unnamed!.providerTxnId).toBe(`order:${topUp.reference}`);
        const notesBefore = await notes();

        kessSim.setOrderStatus(topUp.reference, "SUCCESS", "TR-NAMED-LATER-1");
        const named = await pollObservation("kess", topUp);
        expect(await recordPayment(core.ledger, named, { source: "poll", signed: true })).toEqual({ outcome: "duplicate", paymentId: unnamed!.id, rekeyed: true });
        expect(await recordPayment(core.ledger, named, { source: "poll", signed: true })).toEqual({ outcome: "duplicate", paymentId: unnamed!.id });
        expect((await paymentsOf(topUp.id)).map((p) => p.providerTxnId)).toEqual(["TR-NAMED-LATER-1"]);
        expect(await creditsOf(topUp.id)).toBe(1);
        expect(await notes()).toBe(notesBefore);
        await creditedOnPanel(topUp.reference, 1);
      });

      it("the transaction first, then an answer without it: a duplicate, still one payment", async () => {
        const topUp = await newTopUp("kess", 1_000);
        const { providerTxnId } = await kessSim.pay({ reference: topUp.reference });
        const [payment] = await eventually(async () => {
          const rows = await paymentsOf(topUp.id);
          return rows.length > 0 && rows;
        }, "the order's payment recorded");
        expect(payment!.providerTxnId).toBe(providerTxnId);

        kessSim.setOrderStatus(topUp.reference, "SUCCESS", null);
        const unnamed = await pollObservation("kess", topUp);
        expect(unnamed.providerTxnId).toBe(`order:${topUp.reference}`);
        expect(await recordPayment(core.ledger, unnamed, { source: "poll", signed: true })).toEqual({ outcome: "duplicate", paymentId: payment!.id });
        expect(await paymentsOf(topUp.id)).toHaveLength(1);
        expect(await creditsOf(topUp.id)).toBe(1);
        await creditedOnPanel(topUp.reference, 1);
      });

      it("a second transaction on an order whose first was re-keyed is a REPEAT, not a re-key", async () => {
        const topUp = await newTopUp("kess", 1_100);
        await kessSim.pay({ reference: topUp.reference, withoutTransactionId: true });
        await eventually(async () => (await paymentsOf(topUp.id)).length === 1, "the order's payment recorded");
        kessSim.setOrderStatus(topUp.reference, "SUCCESS", "TR-NAMED-LATER-2");
        expect(await recordPayment(core.ledger, await pollObservation("kess", topUp), { source: "poll", signed: true })).toMatchObject({ outcome: "duplicate", rekeyed: true });

        kessSim.setOrderStatus(topUp.reference, "SUCCESS", "TR-NAMED-LATER-3");
        const second = await recordPayment(core.ledger, await pollObservation("kess", topUp), { source: "poll", signed: true });
        expect(second).toMatchObject({ outcome: "recorded", flag: "REPEAT" });
        expect((await paymentsOf(topUp.id)).map((p) => [p.providerTxnId, p.flag])).toEqual([["TR-NAMED-LATER-2", "OK"], ["TR-NAMED-LATER-3", "REPEAT"]]);
        expect(await creditsOf(topUp.id)).toBe(2);
      });
    });
  });
}
