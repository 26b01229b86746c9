import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminService } from "../../src/admin/create-admin-service.js";
import type { AdminService } from "../../src/admin/admin-service.js";
import { createCustomers } from "../../src/customers/customers.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { eventually, silentLog, startCore, type Core } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

const CREDS = { profileId: "p-admin", profileKey: "k-admin", webhookApiKey: "w-admin" };
const PANEL_KEY = "panel-key-admin-paths";
/** 10% from 50.00 USD. */
const BONUS = [{ fromMinor: 50_00, basisPoints: 1000 }];

/**
 * Issue 18's admin paths over loopback: RaksmeyPay's simulator pays, the PerfectPanel simulator (Admin API v1,
 * which can debit and tell a balance) is credited, and the admin service refunds, releases and settles, on both
 * databases. Every case asserts what reached the panel, the rows, and what the admins see.
 */
for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`admin paths on ${dialect.name}`, () => {
    let database: TestDatabase;
    let sim: RaksmeyPaySimulator;
    let panelSim: PanelSimulator;
    let core: Core;
    let admin: AdminService;
    let telegramId = 7_000_000_000;

    beforeAll(async () => {
      database = await dialect.fresh();
      sim = await startRaksmeyPaySimulator({ ...CREDS, merchantName: "Admin Shop" });
      panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { dara: 0, sok: 0, chan: 0, vuthy: 0, bopha: 0 } });
      const providers: Providers = new Map([["raksmeypay", createRaksmeyPayProvider({ baseUrl: sim.url, qrTemplate: 2, ...CREDS }, { log: silentLog })]]);
      const panel = createPanelClient({ type: "perfectpanel-v1", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" }, { timeouts: { readMs: 2_000, writeMs: 2_000 } });
      core = await startCore({ database, providers, panel, poller: false, topup: { bonus: { currency: "USD", tiers: BONUS } }, crediter: { leaseMs: 30_000 } });
      sim.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);
      admin = createAdminService({
        database: forMerchant(database, DEFAULT_MERCHANT_ID), providers, panel, wakeup: core.wakeup, topUpCurrency: "USD", panelCurrency: "USD", khrPerUsd: 4100, adminChats: core.ledger.adminChats,
        bonus: { tiers: { currency: "USD", tiers: BONUS }, khrPerUsd: 4100 }, log: silentLog,
      });
    });
    afterAll(async () => {
      await core?.stop();
      await sim?.close();
      await panelSim?.close();
      await database?.drop();
    });

    /** A customer linked to `login` with a top-up of `amountMinor` (USD) waiting for payment. */
    async function order(login: string, amountMinor: number) {
      const user = await database.db.user.create({ data: { telegramId: BigInt(++telegramId), panelLogin: login } });
      const started = await core.topUps.start({ userId: user.id, chatId: BigInt(telegramId), amountMinor, provider: "raksmeypay" });
      if (!started.ok) throw new Error(started.reason);
      return { user, topUp: started.topUp, qr: started.payment.qr };
    }

    const topUpOf = (id: number) => database.db.topUp.findUniqueOrThrow({ where: { id } });
    const creditsOf = (topUpId: number) => database.db.credit.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
    const panelFor = (reference: string) => panelSim.payments.filter((p) => p.memo.includes(reference));
    const adminNotes = (kind: string) => database.db.notification.findMany({ where: { kind } });
    const settled = async (topUpId: number) =>
      eventually(async () => (await creditsOf(topUpId)).every((c) => c.status === "DONE" || c.status === "HELD" || c.status === "CANCELLED"), "credits settled");

    it("a refund while the panel is down cancels the queued credit: it never lands, nor its bonus, when the panel is back", async () => {
      const { topUp, qr } = await order("dara", 100_00);
      panelSim.setFault("statusBefore", Infinity, [521]);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await creditsOf(topUp.id)).some((c) => c.status === "QUEUED" && c.attempts > 0), "credit retrying");

      const outcome = await admin.refund({ reference: topUp.reference, reason: "asked while the panel was down", adminId: 1n });
      expect(outcome).toMatchObject({ amountMinor: 100_00, panel: { status: "NOT_CREDITED", amountMinor: 0 }, stopped: false });
      expect((await creditsOf(topUp.id)).map((c) => c.status)).toEqual(["CANCELLED"]);
      expect((await topUpOf(topUp.id)).status).toBe("REFUNDED");

      panelSim.resetFaults();
      core.crediter.wake();
      await new Promise((r) => setTimeout(r, 600));
      expect(panelFor(topUp.reference)).toEqual([]);
      expect(panelSim.balanceOf("dara")).toBe(0);
      expect(await database.db.credit.count({ where: { topUpId: topUp.id, kind: "bonus" } })).toBe(0);
      // The Credit button and /recredit after the refund have nothing to release.
      const cancelled = (await creditsOf(topUp.id))[0]!;
      expect(await admin.releaseHeld({ creditId: cancelled.id, adminId: 1n })).toEqual({ status: "nothing_held" });
      expect(await admin.recredit({ reference: topUp.reference, adminId: 1n })).toEqual({ status: "nothing_held" });
    });

    it("refuses while a credit is at the panel (outcome not known yet), changing nothing; refunds once it landed", async () => {
      const { topUp, qr } = await order("sok", 20_00);
      // The panel applies it, then takes its time to answer.
      panelSim.faults.slowMs = 1_500;
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await creditsOf(topUp.id)).some((c) => c.status === "SENDING"), "credit at the panel");

      const refused = await admin.refund({ reference: topUp.reference, reason: "too early", adminId: 1n });
      expect(refused).toMatchObject({ ok: false, reason: "credit_in_flight", status: "SENDING" });
      expect(await admin.planRefund(topUp.reference)).toMatchObject({ ok: false, reason: "credit_in_flight" });
      expect(await database.db.refund.count({ where: { topUpId: topUp.id } })).toBe(0);

      panelSim.faults.slowMs = 0;
      await eventually(async () => (await topUpOf(topUp.id)).status === "CREDITED", "credited after the panel answered");
      expect(panelFor(topUp.reference).map((p) => p.amountMinor)).toEqual([20_00]);
      const done = await admin.refund({ reference: topUp.reference, reason: "now", adminId: 1n });
      expect(done).toMatchObject({ panel: { status: "DEBITED", amountMinor: 20_00 } });
      expect(panelSim.balanceOf("sok")).toBe(0);
    });

    it("refuses while a held credit's outcome is unknown (the panel may have applied it), naming its memo", async () => {
      const { topUp, qr } = await order("chan", 15_00);
      panelSim.setFault("statusAfter", 1, [502]);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await creditsOf(topUp.id)).some((c) => c.status === "HELD"), "held: outcome unknown on v1");
      const [held] = await creditsOf(topUp.id);
      expect(held).toMatchObject({ errorKind: "unknown" });
      expect(await admin.refund({ reference: topUp.reference, reason: "x", adminId: 1n })).toMatchObject({ ok: false, reason: "credit_in_flight", status: "HELD", memo: held!.memo });
      expect(panelFor(topUp.reference)).toHaveLength(1);
      expect(await database.db.refund.count({ where: { topUpId: topUp.id } })).toBe(0);

      // The admin finds the memo on the panel by hand: marked done, nothing sent again; then it can be refunded.
      expect(await admin.recredit({ reference: topUp.reference, adminId: 1n, landed: true, reason: "memo seen on the panel" })).toMatchObject({ status: "found_on_panel" });
      expect(await creditsOf(topUp.id)).toMatchObject([{ status: "DONE" }]);
      expect((await topUpOf(topUp.id)).status).toBe("CREDITED");
      core.crediter.wake();
      await new Promise((r) => setTimeout(r, 300));
      expect(panelFor(topUp.reference)).toHaveLength(1);
      expect(await admin.refund({ reference: topUp.reference, reason: "after all", adminId: 1n })).toMatchObject({ panel: { status: "DEBITED", amountMinor: 15_00 } });
    });

    it("two confirmations of one plan (bot and CLI at once) refund once", async () => {
      const { topUp, qr } = await order("vuthy", 30_00);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await topUpOf(topUp.id)).status === "CREDITED", "credited");
      const plan = await admin.planRefund(topUp.reference, 10_00);
      if (!plan.ok) throw new Error(plan.reason);
      const both = await Promise.all(
        [1n, 2n].map((adminId) => admin.refund({ reference: topUp.reference, amountMinor: 10_00, reason: "double tap", adminId, expectedRefundedMinor: plan.plan.refundedBeforeMinor })),
      );
      expect(both.filter((r) => "refundId" in r)).toHaveLength(1);
      expect(both.find((r) => !("refundId" in r))).toEqual({ ok: false, reason: "changed" });
      expect(await database.db.refund.count({ where: { topUpId: topUp.id } })).toBe(1);
      expect(panelSim.payments.filter((p) => p.login === "vuthy" && p.kind !== "credit").map((p) => p.amountMinor)).toEqual([10_00]);
    });

    it("a credit that lands after its top-up was refunded sends no receipt and no bonus; the admins get a note", async () => {
      const { topUp, qr } = await order("bopha", 60_00);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await database.db.credit.count({ where: { topUpId: topUp.id, status: "DONE" } })) === 2, "credit and bonus done");
      const refunded = await admin.refund({ reference: topUp.reference, reason: "asked", adminId: 1n });
      expect(refunded).toMatchObject({ panel: { status: "DEBITED", amountMinor: 66_00, bonusMinor: 6_00 } });
      expect((await topUpOf(topUp.id)).status).toBe("REFUNDED");
      // The customer pays the same QR again: new money, credited, but no "success" receipt and no bonus.
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await database.db.credit.count({ where: { topUpId: topUp.id, kind: "payment", status: "DONE" } })) === 2, "second credit done");
      await settled(topUp.id);
      expect(await database.db.credit.count({ where: { topUpId: topUp.id, kind: "bonus" } })).toBe(1);
      const receipts = await database.db.notification.count({ where: { kind: "topup.credited", chatId: topUp.chatId } });
      expect(receipts).toBe(1);
      const notes = await adminNotes("admin.after-refund");
      expect(notes.map((n) => JSON.parse(n.payload).creditId)).toEqual([(await creditsOf(topUp.id)).filter((c) => c.kind === "payment").at(-1)!.id]);
    });

    it("a held payment is credited to the login it was paid for, even after the customer linked another; another login only when named, audited", async () => {
      const { user, topUp, qr } = await order("dara", 10_00);
      await sim.pay({ reference: topUp.reference, qr, amountMinor: 12_00 });
      await eventually(async () => (await creditsOf(topUp.id)).some((c) => c.status === "HELD"), "overpaid: held");
      await createCustomers(forMerchant(database, DEFAULT_MERCHANT_ID)).linkLogin(user, "sok");
      const darBefore = panelSim.balanceOf("dara")!;
      const sokBefore = panelSim.balanceOf("sok")!;
      const [held] = await creditsOf(topUp.id);
      expect(await admin.releaseHeld({ creditId: held!.id, adminId: 1n })).toMatchObject({ status: "queued" });
      await eventually(async () => (await topUpOf(topUp.id)).status === "CREDITED", "released credit lands");
      expect(panelSim.balanceOf("dara")).toBe(darBefore + 12_00);
      expect(panelSim.balanceOf("sok")).toBe(sokBefore);
      const customers = createCustomers(forMerchant(database, DEFAULT_MERCHANT_ID));
      expect(await customers.hasPaidInto(user.id, "dara")).toBe(true);
      expect(await customers.hasPaidInto(user.id, "sok")).toBe(false);

      // A second held payment released explicitly to the customer's new login: audited with both logins.
      const second = await order("chan", 10_00);
      await sim.pay({ reference: second.topUp.reference, qr: second.qr, amountMinor: 9_00 });
      await eventually(async () => (await creditsOf(second.topUp.id)).some((c) => c.status === "HELD"), "underpaid: held");
      const chanBefore = panelSim.balanceOf("chan")!;
      const vuthyBefore = panelSim.balanceOf("vuthy")!;
      expect(await admin.recredit({ reference: second.topUp.reference, adminId: 5n, reason: "customer asked for vuthy", toLogin: "vuthy" })).toMatchObject({ status: "queued" });
      await eventually(async () => (await topUpOf(second.topUp.id)).status === "CREDITED", "lands on the named login");
      expect(panelSim.balanceOf("vuthy")).toBe(vuthyBefore + 9_00);
      expect(panelSim.balanceOf("chan")).toBe(chanBefore);
      const audit = await database.db.auditLog.findFirstOrThrow({ where: { action: "recredit", subject: second.topUp.reference } });
      expect(JSON.parse(audit.details)).toMatchObject({ login: "vuthy", fromLogin: "chan" });
      // A refund takes it back from where it went.
      const plan = await admin.planRefund(second.topUp.reference);
      expect(plan.ok && plan.plan).toMatchObject({ panelLogin: "vuthy", panelDebitMinor: 9_00, panelBalanceMinor: vuthyBefore + 9_00 });
    });

    it("a partial refund of a held overpayment leaves the rest owed: held, in /pending, credited in full later", async () => {
      const { topUp, qr } = await order("sok", 10_00);
      await sim.pay({ reference: topUp.reference, qr, amountMinor: 20_00 });
      await eventually(async () => (await creditsOf(topUp.id)).some((c) => c.status === "HELD"), "overpaid: held");
      const before = panelSim.balanceOf("sok")!;

      const outcome = await admin.refund({ reference: topUp.reference, amountMinor: 10_00, reason: "overpaid by 10", adminId: 1n });
      expect(outcome).toMatchObject({ amountMinor: 10_00, panel: { status: "NOT_CREDITED", amountMinor: 0 } });
      expect(panelSim.balanceOf("sok")).toBe(before);
      const [held] = await creditsOf(topUp.id);
      expect(held).toMatchObject({ status: "HELD", amountMinor: 10_00, basisMinor: 10_00 });
      expect((await topUpOf(topUp.id)).status).toBe("HELD");
      expect((await admin.pending()).heldCredits.map((c) => c.id)).toContain(held!.id);

      expect(await admin.releaseHeld({ creditId: held!.id, adminId: 1n })).toMatchObject({ status: "queued" });
      await eventually(async () => (await topUpOf(topUp.id)).status === "CREDITED", "the rest credited");
      expect(panelSim.balanceOf("sok")).toBe(before + 10_00);
      // 10.00 still paid is below the 50.00 tier: no bonus.
      expect(await database.db.credit.count({ where: { topUpId: topUp.id, kind: "bonus" } })).toBe(0);
      // What is left to refund is what the panel received: 10.00, taken back from it.
      const rest = await admin.planRefund(topUp.reference);
      expect(rest.ok && rest.plan).toMatchObject({ amountMinor: 10_00, panel: "debit", panelDebitMinor: 10_00 });
    });

    it("takes the credit back before giving the money back: a customer who spent it stops the refund, until an admin refunds anyway", async () => {
      const { topUp, qr } = await order("chan", 50_00);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await database.db.credit.count({ where: { topUpId: topUp.id, status: "DONE" } })) === 2, "credit and bonus done");
      const plan = await admin.planRefund(topUp.reference);
      expect(plan.ok && plan.plan).toMatchObject({ panelBalanceMinor: panelSim.balanceOf("chan"), panelDebitMinor: 55_00 });
      // The customer spent the balance on orders.
      panelSim.users.set("chan", 1_00);

      const stopped = await admin.refund({ reference: topUp.reference, reason: "asked", adminId: 1n });
      expect(stopped).toMatchObject({ stopped: true, pending: true, provider: { status: "NOT_SENT" }, panel: { status: "FAILED" } });
      expect(panelSim.balanceOf("chan")).toBe(1_00);
      if (!("refundId" in stopped)) throw new Error("no refund row");
      expect(await database.db.refund.findUniqueOrThrow({ where: { id: stopped.refundId } })).toMatchObject({ providerStatus: "NOT_SENT", panelStatus: "FAILED" });
      expect((await admin.pendingRefunds(topUp.reference)).map((r) => r.stopped)).toEqual([true]);

      const anyway = await Promise.all([1n, 2n].map((adminId) => admin.refundAnyway({ refundId: stopped.refundId, adminId })));
      expect(anyway.filter((o) => "refundId" in o)).toHaveLength(1);
      expect(anyway.find((o) => !("refundId" in o))).toEqual({ status: "not_stopped" });
      expect(anyway.find((o) => "refundId" in o)).toMatchObject({ provider: { status: "MANUAL" }, panel: { status: "NOT_TAKEN_BACK" }, pending: true, stopped: false });
      expect(await database.db.auditLog.count({ where: { action: "refund_anyway", subject: topUp.reference } })).toBe(1);
      expect(await database.db.auditLog.count({ where: { action: "refund_stopped", subject: topUp.reference } })).toBe(1);
    });

    it("a partial refund recomputes the bonus on what is still paid: pay 100 with 10% from 50, refund 51, the bonus goes back", async () => {
      const { topUp, qr } = await order("vuthy", 100_00);
      await sim.pay({ reference: topUp.reference, qr });
      await eventually(async () => (await database.db.credit.count({ where: { topUpId: topUp.id, status: "DONE" } })) === 2, "credit and bonus done");
      const before = panelSim.balanceOf("vuthy")!;
      const first = await admin.refund({ reference: topUp.reference, amountMinor: 40_00, reason: "part", adminId: 1n });
      // 60 still paid earns 6 of the 10: 4 of bonus back.
      expect(first).toMatchObject({ panel: { status: "DEBITED", amountMinor: 44_00, bonusMinor: 4_00 } });
      const second = await admin.refund({ reference: topUp.reference, amountMinor: 11_00, reason: "more", adminId: 1n });
      // 49 still paid earns nothing: the other 6 of bonus back.
      expect(second).toMatchObject({ panel: { status: "DEBITED", amountMinor: 17_00, bonusMinor: 6_00 } });
      expect(panelSim.balanceOf("vuthy")).toBe(before - 61_00);
    });

    it("an orphan payment settled by /credit --orphan is linked and resolved: a second admin cannot settle it again", async () => {
      const orphan = await database.db.payment.create({
        data: { provider: "raksmeypay", providerTxnId: `orphan-${dialect.name}`, amountMinor: 7_00, currency: "USD", flag: "ORPHAN", source: "webhook", raw: "{}", reference: "99999999999999" },
      });
      expect((await admin.pending()).orphanPayments.map((p) => p.id)).toContain(orphan.id);
      const both = await Promise.all([1n, 2n].map((adminId) => admin.manualCredit({ login: "bopha", amountMinor: 7_00, reason: "paid outside", adminId, orphan: orphan.providerTxnId })));
      expect(both.filter((o) => o.status === "queued")).toHaveLength(1);
      expect(both.find((o) => o.status !== "queued")).toMatchObject({ status: "already_settled" });
      const credit = await database.db.credit.findUniqueOrThrow({ where: { paymentId: orphan.id } });
      expect(credit).toMatchObject({ kind: "manual", panelLogin: "bopha", amountMinor: 7_00 });
      expect((await admin.pending()).orphanPayments.map((p) => p.id)).not.toContain(orphan.id);
      expect(await admin.manualCredit({ login: "bopha", amountMinor: 1_00, reason: "x", adminId: 1n, orphan: "no-such-txn" })).toEqual({ status: "no_orphan" });
      await eventually(async () => (await database.db.credit.findUniqueOrThrow({ where: { id: credit.id } })).status === "DONE", "orphan credit applied");
      expect(panelSim.payments.filter((p) => p.memo === credit.memo)).toHaveLength(1);
    });

    it("/pending counts what it does not list", async () => {
      const base = { panelLogin: "nobody", amountMinor: 1, currency: "USD", kind: "manual", status: "HELD", nextAttemptAt: new Date(), lastError: "test" };
      await database.db.credit.createMany({ data: Array.from({ length: 55 }, (_, i) => ({ ...base, memo: `KHQR MANUAL pending-${dialect.name}-${i}` })) });
      const { heldCredits, totals } = await admin.pending();
      expect(heldCredits).toHaveLength(50);
      expect(totals.heldCredits).toBeGreaterThanOrEqual(55);
    });
  });
}
