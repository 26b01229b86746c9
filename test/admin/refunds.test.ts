import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefunds } from "../../src/admin/refunds.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { SocPanelClient } from "../../src/panel/socpanel.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { silentLog } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

const API_KEY = "soc-panel-key-1234";
let database: TestDatabase;
let panel: PanelSimulator;
const wakeup = createLocalWakeup();
let refunds: ReturnType<typeof createRefunds>;

/** A top-up of 100.00 USD, paid and credited, with a 10.00 USD deposit bonus credited after it. */
async function creditedWithBonus(reference: string, telegramId: bigint) {
  const { db } = database;
  const user = await db.user.create({ data: { telegramId, panelLogin: "mony" } });
  const topUp = await db.topUp.create({
    data: { reference, userId: user.id, chatId: telegramId, provider: "bakong", currency: "USD", amountMinor: 10_000, panelLogin: "mony", status: "CREDITED", expiresAt: new Date() },
  });
  const payment = await db.payment.create({ data: { provider: "bakong", providerTxnId: `txn-${reference}`, topUpId: topUp.id, amountMinor: 10_000, currency: "USD", flag: "OK", source: "poll", raw: "{}" } });
  const done = { panelLogin: "mony", currency: "USD", status: "DONE", nextAttemptAt: new Date(), doneAt: new Date(), topUpId: topUp.id };
  await db.credit.create({ data: { ...done, paymentId: payment.id, amountMinor: 10_000, memo: `KHQR ${reference} ${payment.id}`, kind: "payment" } });
  await db.credit.create({ data: { ...done, amountMinor: 1000, memo: `KHQR ${reference} ${payment.id} bonus`, kind: "bonus" } });
  return topUp;
}

beforeAll(async () => {
  database = await freshSqlite();
  panel = await startSocPanelSimulator({ apiKey: API_KEY, users: { mony: 100_000 } });
  const client = new SocPanelClient({ url: panel.url, apiKey: API_KEY, currency: "USD" });
  refunds = createRefunds({ database: forMerchant(database, DEFAULT_MERCHANT_ID), providers: new Map() as Providers, panel: client, wakeup, panelCurrency: "USD", khrPerUsd: 4100, log: silentLog });
});
afterAll(async () => {
  await panel?.close();
  await wakeup.close();
  await database?.drop();
});

describe("refunds take the deposit bonus back", () => {
  it("in proportion to a partial refund, and the rest with the last one, where the panel can debit", async () => {
    const topUp = await creditedWithBonus("26031000000001", 9001n);
    const plan = await refunds.planRefund(topUp.reference, 4000);
    expect(plan.ok && plan.plan).toMatchObject({ amountMinor: 4000, panel: "debit", bonusTakeBackMinor: 400, panelCurrency: "USD" });

    const first = await refunds.refund({ reference: topUp.reference, amountMinor: 4000, reason: "part", adminId: 1n });
    expect(first).toMatchObject({ panel: { status: "DEBITED", amountMinor: 4400, bonusMinor: 400 }, pending: true });
    expect(panel.balanceOf("mony")).toBe(100_000 - 4400);

    const rest = await refunds.planRefund(topUp.reference);
    expect(rest.ok && rest.plan).toMatchObject({ amountMinor: 6000, bonusTakeBackMinor: 600 });
    const second = await refunds.refund({ reference: topUp.reference, reason: "rest", adminId: 1n });
    expect(second).toMatchObject({ panel: { status: "DEBITED", amountMinor: 6600, bonusMinor: 600 } });
    expect(panel.balanceOf("mony")).toBe(100_000 - 11_000);
    expect(panel.payments.filter((p) => p.kind !== "credit").map((p) => p.amountMinor)).toEqual([4400, 6600]);
  });

  it("a full refund cancels a bonus that has not reached the panel yet, so it is never credited afterwards", async () => {
    const topUp = await creditedWithBonus("26031000000004", 9004n);
    const { db } = database;
    await db.credit.updateMany({ where: { topUpId: topUp.id, kind: "bonus" }, data: { status: "HELD", doneAt: null } });
    const plan = await refunds.planRefund(topUp.reference);
    expect(plan.ok && plan.plan).toMatchObject({ amountMinor: 10_000, bonusTakeBackMinor: 0 });
    await refunds.refund({ reference: topUp.reference, reason: "asked", adminId: 1n });
    expect(await db.credit.findFirstOrThrow({ where: { topUpId: topUp.id, kind: "bonus" } })).toMatchObject({ status: "CANCELLED" });
  });

  it("stays pending until an admin confirms the money was returned, once; then the customer is told", async () => {
    const topUp = await creditedWithBonus("26031000000002", 9002n);
    const outcome = await refunds.refund({ reference: topUp.reference, reason: "asked", adminId: 7n });
    if (!("refundId" in outcome)) throw new Error("no refund");
    expect(outcome).toMatchObject({ provider: { status: "MANUAL" }, pending: true });
    const told = () => database.db.notification.count({ where: { kind: "topup.refunded", chatId: 9002n } });
    expect(await told()).toBe(0);

    const confirmations = await Promise.all([7n, 8n].map((adminId) => refunds.confirmReturned({ refundId: outcome.refundId, adminId })));
    expect(confirmations.map((c) => c.status).sort()).toEqual(["already_done", "confirmed"]);
    expect(await told()).toBe(1);
    expect(await database.db.refund.findUniqueOrThrow({ where: { id: outcome.refundId } })).toMatchObject({ providerStatus: "RETURNED" });
    expect(await database.db.auditLog.count({ where: { action: "refund_returned", subject: topUp.reference } })).toBe(1);
    expect(await refunds.confirmReturned({ refundId: 999_999, adminId: 7n })).toEqual({ status: "not_found" });
  });

  it("from a held payment's alert: refunds that payment only, takes nothing from the panel, cancels only its credit", async () => {
    const topUp = await creditedWithBonus("26031000000003", 9003n);
    const { db } = database;
    const repeat = await db.payment.create({ data: { provider: "bakong", providerTxnId: "txn-repeat-3", topUpId: topUp.id, amountMinor: 2500, currency: "USD", flag: "REPEAT", source: "poll", raw: "{}" } });
    const held = await db.credit.create({
      data: { paymentId: repeat.id, topUpId: topUp.id, panelLogin: "mony", amountMinor: 2500, currency: "USD", memo: `KHQR ${topUp.reference} ${repeat.id}`, kind: "payment", status: "HELD", nextAttemptAt: new Date() },
    });
    const before = panel.balanceOf("mony");
    const outcome = await refunds.refund({ reference: topUp.reference, reason: "alert", adminId: 7n, heldCreditId: held.id });
    expect(outcome).toMatchObject({ amountMinor: 2500, panel: { status: "NOT_CREDITED", amountMinor: 0, bonusMinor: 0 } });
    expect(panel.balanceOf("mony")).toBe(before);
    expect(await db.credit.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({ status: "CANCELLED" });
    expect(await db.credit.count({ where: { topUpId: topUp.id, status: "DONE" } })).toBe(2);
    expect(await db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).toMatchObject({ status: "CREDITED" });
    expect(await refunds.refund({ reference: topUp.reference, reason: "again", adminId: 7n, heldCreditId: held.id })).toEqual({ ok: false, reason: "not_held" });
  });
});
