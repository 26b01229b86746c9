import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCrediter } from "../../src/jobs/crediter.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { PanelError, type PanelClient } from "../../src/panel/panel-client.js";
import { parseBonusTiers, type BonusTiers } from "../../src/money/bonus.js";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { Currency } from "../../src/money/money.js";
import { eventually, FAST_CREDITER, silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { ADMIN_CHAT, CUSTOMER_CHAT, startMoneyKit, type MoneyKit } from "../money/money-kit.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

function tiers(text: string, currency: Currency): BonusTiers {
  const parsed = parseBonusTiers(text, currency);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.bonus;
}

/** Notifications whose payload names this top-up (its id is followed by another field or the end). */
const aboutTopUp = (id: number) => [{ payload: { contains: `"topUpId":${id},` } }, { payload: { contains: `"topUpId":${id}}` } }];

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`deposit bonus on ${dialect.name}`, () => {
    let database: TestDatabase;
    let kit: MoneyKit;

    beforeAll(async () => {
      database = await dialect.fresh();
      kit = await startMoneyKit(database, { topup: { bonus: tiers("50:5,100:10", "USD") } });
    });
    afterAll(async () => {
      await kit?.stop();
      await database?.drop();
    });

    async function topUp(provider: "payway" | "raksmeypay", amountMinor: number) {
      const started = await kit.core.topUps.start({ userId: kit.userId, chatId: BigInt(CUSTOMER_CHAT), amountMinor, provider });
      if (!started.ok) throw new Error(started.reason);
      return started;
    }
    const panelCreditsFor = (reference: string) => kit.panelSim.payments.filter((p) => p.memo.includes(reference));
    const creditsOf = (topUpId: number) => database.db.credit.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
    const PANEL = { type: "perfectpanel", apiKey: "panel-key-money", paymentMethod: "KHQR", currency: "USD" } as const;
    /** A crediter of our own over `panel`, after the kit's is stopped (restart it with kit.core.crediter.start()). */
    function crediterOver(panel: PanelClient, instanceId: string) {
      const adminChats = [BigInt(ADMIN_CHAT)];
      return createCrediter(
        {
          database, panel, wakeup: kit.core.wakeup, log: silentLog, metrics: createMetrics(), adminChats,
          outages: createOutageTracker({ db: database.db, merchantId: DEFAULT_MERCHANT_ID, adminChats, log: silentLog }),
          bonus: { tiers: tiers("50:5,100:10", "USD"), khrPerUsd: 4100 },
        },
        { ...FAST_CREDITER, instanceId },
      );
    }
    const bonusDone = (topUpId: number) => eventually(async () => (await database.db.credit.findFirst({ where: { topUpId, kind: "bonus", status: "DONE" } })) ?? false, "the bonus credited");

    it("a 100 USD payment with tiers 50:5,100:10 credits 100 and a separate 10 bonus, each once, with one receipt naming the bonus", async () => {
      const balanceBefore = kit.panelSim.balanceOf("dara")!;
      const { topUp: order, payment } = await topUp("raksmeypay", 100_00);
      await kit.raksmey.pay({ reference: order.reference, qr: payment.qr });
      // The same webhook again must not earn a second bonus.
      const delivery = kit.raksmey.deliveries.at(-1)!;
      expect((await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body })).status).toBe(200);
      await bonusDone(order.id);

      const paid = await database.db.payment.findFirstOrThrow({ where: { topUpId: order.id } });
      const memo = `KHQR ${order.reference} ${paid.id}`;
      expect(panelCreditsFor(order.reference).map((p) => [p.memo, p.amountMinor])).toEqual([[memo, 100_00], [`${memo} bonus`, 10_00]]);
      expect(kit.panelSim.balanceOf("dara")! - balanceBefore).toBe(110_00);
      const credits = await creditsOf(order.id);
      expect(credits.map((c) => [c.kind, c.status, c.amountMinor, c.paymentId])).toEqual([["payment", "DONE", 100_00, paid.id], ["bonus", "DONE", 10_00, null]]);
      expect(credits[1]).toMatchObject({ memo: `${memo} bonus`, panelLogin: "dara", currency: "USD" });
      expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("CREDITED");

      const receipt = await eventually(async () => kit.texts(CUSTOMER_CHAT).find((t) => t.includes(order.reference) && t.includes("Top-up successful")), "the receipt");
      expect(receipt).toContain("Deposit bonus: +10.00 USD");
      // The bonus credit is done: any receipt of its own would already be queued.
      const receipts = await database.db.notification.count({ where: { chatId: BigInt(CUSTOMER_CHAT), kind: "topup.credited", OR: aboutTopUp(order.id) } });
      expect(receipts).toBe(1);
    });

    it("below the first tier there is no bonus credit", async () => {
      const { topUp: order, payment } = await topUp("raksmeypay", 49_99);
      await kit.raksmey.pay({ reference: order.reference, qr: payment.qr });
      await eventually(async () => (await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status === "CREDITED", "credited");
      expect((await creditsOf(order.id)).map((c) => c.kind)).toEqual(["payment"]);
      expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([49_99]);
    });

    it("a held underpayment released by an admin earns the bonus of what was paid, once its credit is done", async () => {
      const { topUp: order, payment } = await topUp("payway", 100_00);
      await kit.payway.pay({ reference: order.reference, qr: payment.qr, amountMinor: 60_00, currency: "USD" });
      await eventually(async () => (await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status === "HELD", "held");
      expect((await creditsOf(order.id)).map((c) => [c.kind, c.status])).toEqual([["payment", "HELD"]]);

      expect(await kit.adminCredits.recredit({ reference: order.reference, adminId: 1n })).toMatchObject({ status: "queued" });
      const bonus = await bonusDone(order.id);
      expect(bonus.amountMinor).toBe(3_00);
      expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([60_00, 3_00]);
    });

    it("a manual credit earns no bonus", async () => {
      const queued = await kit.adminCredits.manualCredit({ login: "dara", amountMinor: 200_00, reason: "goodwill", adminId: 1n });
      const creditId = queued.status === "queued" ? queued.creditId : -1;
      await eventually(async () => (await database.db.credit.findUniqueOrThrow({ where: { id: creditId } })).status === "DONE", "manual credit done");
      expect(await database.db.credit.count({ where: { id: { gt: creditId } } })).toBe(0);
      expect(kit.panelSim.payments.filter((p) => p.memo.includes("MANUAL")).map((p) => p.amountMinor)).toEqual([200_00]);
    });

    it("a crediter stopped right after the payment's credit leaves the bonus queued, and the next one credits it exactly once", async () => {
      await kit.core.crediter.stop();
      const realPanel = createPanelClient({ ...PANEL, url: kit.panelSim.url });
      let stopped: Promise<void> | undefined;
      const dying: PanelClient = {
        type: realPanel.type,
        capabilities: realPanel.capabilities,
        findCredit: (memo) => realPanel.findCredit!(memo),
        async credit(login, amountMinor, memo) {
          const result = await realPanel.credit(login, amountMinor, memo);
          // The process goes down as the panel answers: nothing more is claimed after this credit.
          stopped ??= first.stop();
          return result;
        },
      };
      const first = crediterOver(dying, "first");
      first.start();

      const { topUp: order, payment } = await topUp("raksmeypay", 150_00);
      await kit.raksmey.pay({ reference: order.reference, qr: payment.qr });
      await eventually(async () => stopped !== undefined, "the first crediter stopping");
      await stopped;
      expect((await creditsOf(order.id)).map((c) => [c.kind, c.status])).toEqual([["payment", "DONE"], ["bonus", "QUEUED"]]);
      expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([150_00]);

      const second = crediterOver(realPanel, "second");
      second.start();
      try {
        await bonusDone(order.id);
      } finally {
        await second.stop();
        kit.core.crediter.start();
      }
      expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([150_00, 15_00]);
      expect(await database.db.credit.count({ where: { topUpId: order.id } })).toBe(2);
    });

    it("a bonus the panel refuses is held for the admins alone, and once released lands with the /recredit note and no second receipt", async () => {
      await kit.core.crediter.stop();
      const realPanel = createPanelClient({ ...PANEL, url: kit.panelSim.url });
      let refusals = 1;
      const refusing: PanelClient = {
        type: realPanel.type,
        capabilities: realPanel.capabilities,
        findCredit: (memo) => realPanel.findCredit!(memo),
        async credit(login, amountMinor, memo) {
          if (memo.endsWith(" bonus") && refusals-- > 0) throw new PanelError("rejected", "the panel refused the payment", { panelMessage: "limit reached" });
          return realPanel.credit(login, amountMinor, memo);
        },
      };
      const crediter = crediterOver(refusing, "refusing");
      crediter.start();
      try {
        const { topUp: order, payment } = await topUp("raksmeypay", 100_00);
        await kit.raksmey.pay({ reference: order.reference, qr: payment.qr });
        const held = await eventually(async () => (await database.db.credit.findFirst({ where: { topUpId: order.id, kind: "bonus", status: "HELD" } })) ?? false, "the bonus held");
        expect(held.lastError).toMatch(/limit reached/);
        expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("CREDITED");
        const customerNotes = () => database.db.notification.findMany({ where: { chatId: BigInt(CUSTOMER_CHAT), OR: aboutTopUp(order.id) }, select: { kind: true } });
        expect((await customerNotes()).map((n) => n.kind)).toEqual(["topup.credited"]);
        expect(await database.db.notification.count({ where: { chatId: BigInt(ADMIN_CHAT), kind: "admin.held", payload: { contains: `"creditId":${held.id}}` } } })).toBe(1);

        expect(await kit.adminCredits.releaseHeld({ creditId: held.id, adminId: 1n })).toMatchObject({ status: "queued", creditId: held.id });
        await bonusDone(order.id);
        expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([100_00, 10_00]);
        expect(await database.db.notification.count({ where: { chatId: BigInt(ADMIN_CHAT), kind: "admin.recredited", payload: { contains: `"creditId":${held.id}}` } } })).toBe(1);
        expect((await customerNotes()).map((n) => n.kind)).toEqual(["topup.credited"]);
      } finally {
        await crediter.stop();
        kit.core.crediter.start();
      }
    });

    it("a held payment an admin finds already on the panel earns its bonus too", async () => {
      const { topUp: order, payment } = await topUp("payway", 100_00);
      await kit.payway.pay({ reference: order.reference, qr: payment.qr, amountMinor: 120_00, currency: "USD" });
      const held = await eventually(async () => (await database.db.credit.findFirst({ where: { topUpId: order.id, status: "HELD" } })) ?? false, "held");
      // Someone credited it by hand on the panel, with its memo.
      await createPanelClient({ ...PANEL, url: kit.panelSim.url }).credit("dara", 120_00, held.memo);
      expect(await kit.adminCredits.recredit({ reference: order.reference, adminId: 1n })).toMatchObject({ status: "found_on_panel" });
      const bonus = await bonusDone(order.id);
      expect(bonus.amountMinor).toBe(12_00);
      expect(panelCreditsFor(order.reference).map((p) => p.amountMinor)).toEqual([120_00, 12_00]);
    });
  });

  describe.runIf(dialect.enabled)(`deposit bonus of a riel payment to a USD panel on ${dialect.name}`, () => {
    let database: TestDatabase;
    let kit: MoneyKit;

    beforeAll(async () => {
      database = await dialect.fresh();
      kit = await startMoneyKit(database, { topup: { currency: "KHR", khrPerUsd: 4100, bonus: tiers("200000:5,400000:10", "KHR") } });
    });
    afterAll(async () => {
      await kit?.stop();
      await database?.drop();
    });

    it("converts the bonus to the panel's currency at the payment's rate", async () => {
      const order = await database.db.topUp.create({
        data: { reference: "KQ-BONUS-KHR", userId: kit.userId, chatId: BigInt(CUSTOMER_CHAT), provider: "raksmeypay", currency: "KHR", amountMinor: 410_000, panelLogin: "dara", status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
      });
      const outcome = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: "khr-bonus-1", reference: order.reference, amountMinor: 410_000, currency: "KHR", raw: {} }, { source: "webhook", signed: true });
      expect(outcome).toMatchObject({ outcome: "recorded" });
      await eventually(async () => (await database.db.credit.findFirst({ where: { topUpId: order.id, kind: "bonus", status: "DONE" } })) ?? false, "the bonus credited");
      const credits = await database.db.credit.findMany({ where: { topUpId: order.id }, orderBy: { id: "asc" } });
      // 410,000 riel = 100.00 USD; 10% of 410,000 riel = 41,000 riel = 10.00 USD.
      expect(credits.map((c) => [c.kind, c.amountMinor, c.currency, c.rate])).toEqual([["payment", 100_00, "USD", "4100"], ["bonus", 10_00, "USD", "4100"]]);
      expect(kit.panelSim.payments.filter((p) => p.memo.includes(order.reference)).map((p) => p.amountMinor)).toEqual([100_00, 10_00]);
    });
  });
}
