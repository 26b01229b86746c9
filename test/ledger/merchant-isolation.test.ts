import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminService } from "../../src/admin/create-admin-service.js";
import type { AdminService } from "../../src/admin/admin-service.js";
import { parsePeriod } from "../../src/admin/period.js";
import { createCustomers } from "../../src/customers/customers.js";
import { forMerchant } from "../../src/db/merchant-scope.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import type { PaymentObservation } from "../../src/ledger/observation.js";
import { recordPayment, type LedgerDeps } from "../../src/ledger/record-payment.js";
import { newReference } from "../../src/ledger/reference.js";
import { CreditStatus } from "../../src/ledger/states.js";
import { createMetrics } from "../../src/metrics.js";
import { SocPanelClient } from "../../src/panel/socpanel.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

/**
 * Two shops on one database: the same Telegram user, the same provider transaction id and the same panel login at
 * both. Each is recorded and credited as its own; shop A's admin service sees and can do nothing of shop B's.
 */
const A = 1;
const B = 2;
const TELEGRAM_ID = 555_000_111n;
const LOGIN = "dara";
const TXN = "bank-txn-1";
const API_KEY = "soc-panel-key-1234";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`two merchants on one database (${dialect.name})`, () => {
    let database: TestDatabase;
    let panel: PanelSimulator;
    const wakeup = createLocalWakeup();
    const ledgerOf = (merchantId: number): LedgerDeps => ({
      merchantId, database, wakeup, log: silentLog, metrics: createMetrics(), panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n],
    });
    const adminOf = (merchantId: number): AdminService =>
      createAdminService({
        database: forMerchant(database, merchantId), providers: new Map() as Providers, panel: new SocPanelClient({ url: panel.url, apiKey: API_KEY, currency: "USD" }),
        wakeup, topUpCurrency: "USD", panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n], log: silentLog,
      });
    const shop = { [A]: { reference: "", orphanTxn: "" }, [B]: { reference: "", orphanTxn: "" } };

    /** The customer (same Telegram user at both shops) and an open 10.00 USD top-up of theirs at `merchantId`. */
    async function openTopUp(merchantId: number, language: string) {
      const merchant = forMerchant(database, merchantId);
      const customers = createCustomers(merchant);
      await customers.save(Number(TELEGRAM_ID), { username: "dara_kh", firstName: "Dara", language });
      await customers.linkLogin(await customers.get(Number(TELEGRAM_ID)), LOGIN);
      const user = await customers.get(Number(TELEGRAM_ID));
      const reference = newReference(new Date());
      await merchant.db.topUp.create({
        data: { reference, userId: user.id, chatId: TELEGRAM_ID, provider: "bakong", currency: "USD", amountMinor: 1000, panelLogin: LOGIN, status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
      });
      return reference;
    }

    const observation = (reference: string, amountMinor: number, txn = TXN): PaymentObservation => ({ provider: "bakong", providerTxnId: txn, reference, amountMinor, currency: "USD", raw: {} });

    beforeAll(async () => {
      database = await dialect.fresh();
      panel = await startSocPanelSimulator({ apiKey: API_KEY, users: { [LOGIN]: 0 } });
      shop[A].reference = await openTopUp(A, "km");
      shop[B].reference = await openTopUp(B, "en");
    });
    afterAll(async () => {
      await panel?.close();
      await database?.drop();
    });

    it("one Telegram user at two shops is two customers, each with its own language and login", async () => {
      const users = await database.db.user.findMany({ where: { telegramId: TELEGRAM_ID }, orderBy: { merchantId: "asc" } });
      expect(users.map((u) => [u.merchantId, u.language, u.panelLogin])).toEqual([[A, "km", LOGIN], [B, "en", LOGIN]]);
      await createCustomers(forMerchant(database, B)).setLanguage(Number(TELEGRAM_ID), "km");
      await createCustomers(forMerchant(database, A)).setLanguage(Number(TELEGRAM_ID), "en");
      const languages = await createCustomers(forMerchant(database, A)).languagesOf([TELEGRAM_ID]);
      expect(languages.get(TELEGRAM_ID)).toBe("en");
      expect((await createCustomers(forMerchant(database, B)).get(Number(TELEGRAM_ID))).language).toBe("km");
    });

    it("the same provider transaction id at two shops is two payments, each on its own shop's top-up; a repeat at one is a duplicate there only", async () => {
      const atA = await recordPayment(ledgerOf(A), observation(shop[A].reference, 1000), { source: "webhook", signed: true });
      // Shop B's customer underpaid: held for B's admins.
      const atB = await recordPayment(ledgerOf(B), observation(shop[B].reference, 900), { source: "webhook", signed: true });
      expect(atA.outcome).toBe("recorded");
      expect(atB.outcome).toBe("held");
      expect(await recordPayment(ledgerOf(A), observation(shop[A].reference, 1000), { source: "poll", signed: true })).toMatchObject({ outcome: "duplicate" });
      const payments = await database.db.payment.findMany({ where: { providerTxnId: TXN }, include: { topUp: true, credit: true }, orderBy: { merchantId: "asc" } });
      expect(payments.map((p) => [p.merchantId, p.topUp?.reference, p.topUp?.merchantId, p.credit?.merchantId, p.credit?.status])).toEqual([
        [A, shop[A].reference, A, A, CreditStatus.QUEUED],
        [B, shop[B].reference, B, B, CreditStatus.HELD],
      ]);
      const notes = await database.db.notification.findMany({ select: { merchantId: true, kind: true } });
      expect(notes.filter((n) => n.merchantId === A).map((n) => n.kind).sort()).toEqual(["admin.payment"]);
      expect(notes.filter((n) => n.merchantId === B).map((n) => n.kind).sort()).toEqual(["admin.flagged", "topup.held"]);
    });

    it("a webhook on shop B's route naming shop A's reference is an orphan at B, never a payment on A's top-up", async () => {
      shop[B].orphanTxn = "bank-txn-stray";
      const stray = await recordPayment(ledgerOf(B), observation(shop[A].reference, 1000, shop[B].orphanTxn), { source: "webhook", signed: true });
      expect(stray.outcome).toBe("orphan");
      const row = await database.db.payment.findFirstOrThrow({ where: { providerTxnId: shop[B].orphanTxn } });
      expect([row.merchantId, row.topUpId]).toEqual([B, null]);
      // Unsigned, it verifies nothing at B: A's reference is not one of B's orders.
      expect((await recordPayment(ledgerOf(B), observation(shop[A].reference, 1000, "unsigned-1"), { source: "webhook", signed: false })).outcome).toBe("unverified");
    });

    it("the global claims return every shop's credits and notes, each with its merchant; finishing writes the receipt as that merchant's", async () => {
      const claimed = await database.hot.credits.claim({ instanceId: "test", at: new Date(), leaseMs: 30_000, limit: 10 });
      expect(claimed.map((c) => c.merchantId)).toEqual([A]);
      await database.hot.credits.finish(claimed[0]!, {}, new Date(), { bonus: undefined, adminChats: [-100n] });
      const receipt = await database.db.notification.findFirstOrThrow({ where: { kind: "topup.credited" } });
      expect(receipt.merchantId).toBe(A);
      const due = [...(await database.hot.notifications.due("customers", new Date(Date.now() + 1000), 50)), ...(await database.hot.notifications.due("admins", new Date(Date.now() + 1000), 50))];
      expect(new Set(due.map((n) => n.merchantId))).toEqual(new Set([A, B]));
      for (const n of due) expect((await database.db.notification.findUniqueOrThrow({ where: { id: n.id } })).merchantId).toBe(n.merchantId);
      // Paying into the login at shop A shows its balance to A's customer only.
      const [atA, atB] = [createCustomers(forMerchant(database, A)), createCustomers(forMerchant(database, B))];
      const [userA, userB] = [await atA.get(Number(TELEGRAM_ID)), await atB.get(Number(TELEGRAM_ID))];
      expect(await atA.hasPaidInto(userA.id, LOGIN)).toBe(true);
      expect(await atB.hasPaidInto(userB.id, LOGIN)).toBe(false);
      expect(await atB.hasPaidInto(userA.id, LOGIN)).toBe(false);
    });

    it("shop A's report, export, /find and /pending show only shop A's rows", async () => {
      const admin = adminOf(A);
      const report = await admin.report(parsePeriod("today")!);
      expect(report.paid).toEqual({ count: 1, sumMinor: 1000 });
      expect(report.topUpsByStatus).toEqual([{ status: "CREDITED", count: 1 }]);
      expect(report.topCustomers.map((c) => [c.telegramId, c.sumMinor])).toEqual([[TELEGRAM_ID, 1000]]);
      let csv = "";
      for await (const lines of admin.reportCsv(parsePeriod("today")!)) csv += lines;
      expect(csv).toContain(shop[A].reference);
      expect(csv).not.toContain(shop[B].reference);

      expect((await admin.find(shop[B].reference)).kind).toBe("none");
      expect(await admin.find(shop[B].orphanTxn)).toEqual({ kind: "none" });
      const byTxn = await admin.find(TXN);
      expect(byTxn.kind === "payments" && byTxn.payments.map((p) => [p.merchantId, p.topUpReference])).toEqual([[A, shop[A].reference]]);
      for (const who of ["@dara_kh", String(TELEGRAM_ID), LOGIN]) {
        const found = await admin.find(who);
        expect(found.kind === "user" && [found.user.merchantId, found.topUps.map((t) => t.reference)]).toEqual([A, [shop[A].reference]]);
      }
      const pending = await admin.pending();
      expect(pending.heldCredits).toEqual([]);
      expect(pending.orphanPayments).toEqual([]);
      expect(pending.totals).toEqual({ openTopUps: 0, heldCredits: 0, orphanPayments: 0 });
      // Shop B's own view has its held credit and its orphan.
      const theirs = await adminOf(B).pending();
      expect(theirs.totals).toEqual({ openTopUps: 0, heldCredits: 1, orphanPayments: 1 });
    });

    it("shop A's admin can refund, re-credit, release or settle nothing of shop B's", async () => {
      const admin = adminOf(A);
      const heldAtB = await database.db.credit.findFirstOrThrow({ where: { merchantId: B, status: CreditStatus.HELD } });
      expect(await admin.planRefund(shop[B].reference)).toEqual({ ok: false, reason: "not_found" });
      expect(await admin.refund({ reference: shop[B].reference, reason: "not mine", adminId: 1n })).toEqual({ ok: false, reason: "not_found" });
      expect(await admin.pendingRefunds(shop[B].reference)).toEqual([]);
      expect(await admin.recredit({ reference: shop[B].reference, adminId: 1n })).toEqual({ status: "not_found" });
      expect(await admin.releaseHeld({ creditId: heldAtB.id, adminId: 1n })).toEqual({ status: "not_found" });
      expect(await admin.manualCredit({ login: LOGIN, amountMinor: 1000, reason: "settle", adminId: 1n, orphan: shop[B].orphanTxn })).toEqual({ status: "no_orphan" });

      // Shop B's refund, made by B's admin, is out of A's reach too.
      const refunded = await adminOf(B).refund({ reference: shop[B].reference, reason: "underpaid", adminId: 2n, heldCreditId: heldAtB.id });
      expect("refundId" in refunded && refunded.pending).toBe(true);
      const refundId = (refunded as { refundId: number }).refundId;
      expect(await admin.confirmReturned({ refundId, adminId: 1n })).toEqual({ status: "not_found" });
      expect(await admin.refundAnyway({ refundId, adminId: 1n })).toEqual({ status: "not_stopped" });

      expect(await database.db.credit.findUniqueOrThrow({ where: { id: heldAtB.id } })).toMatchObject({ merchantId: B, status: CreditStatus.CANCELLED });
      const audits = await database.db.auditLog.findMany({ select: { merchantId: true, action: true } });
      expect(audits).toEqual([{ merchantId: B, action: "refund" }]);
      const refund = await database.db.refund.findUniqueOrThrow({ where: { id: refundId } });
      expect(refund.merchantId).toBe(B);
      // A's manual credit (no orphan) is A's, and the panel login shared with B changes nothing.
      const manual = await admin.manualCredit({ login: LOGIN, amountMinor: 100, reason: "goodwill", adminId: 1n });
      expect(manual.status).toBe("queued");
      expect((await database.db.credit.findUniqueOrThrow({ where: { id: (manual as { creditId: number }).creditId } })).merchantId).toBe(A);
    });
  });
}
