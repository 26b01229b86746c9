import type { ProviderName } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { toPanelAmount } from "../ledger/decide.js";
import type { Currency } from "../payments/money.js";
import { CreditStatus, TopUpStatus } from "../payments/states.js";
import { topUpRef, type Providers } from "../payments/topups.js";
import { PanelError, type PanelClient } from "../panel/panel-client.js";
import type { RefundOutcome, RefundPlanResult } from "./admin-service.js";
import { audit } from "./audit.js";

export interface RefundDeps {
  database: Database;
  providers: Providers;
  panel: PanelClient;
  panelCurrency: Currency;
  khrPerUsd: number;
  log: Logger;
}

export function createRefunds(deps: RefundDeps) {
  const { db } = deps.database;

  async function planRefund(reference: string, amountMinor?: number): Promise<RefundPlanResult> {
    const topUp = await db.topUp.findUnique({ where: { reference }, include: { payments: true, refunds: true } });
    if (!topUp) return { ok: false, reason: "not_found" };
    const paid = topUp.payments.filter((p) => p.currency === topUp.currency).reduce((sum, p) => sum + p.amountMinor, 0);
    if (paid === 0) return { ok: false, reason: "not_paid" };
    const refundable = paid - topUp.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
    if (refundable <= 0) return { ok: false, reason: "nothing_left" };
    const amount = amountMinor ?? refundable;
    if (!Number.isSafeInteger(amount) || amount <= 0) return { ok: false, reason: "invalid_amount" };
    if (amount > refundable) return { ok: false, reason: "amount_too_large" };
    const credited = await db.credit.count({ where: { topUpId: topUp.id, status: CreditStatus.DONE } });
    const { payments: _p, refunds: _r, ...plain } = topUp;
    return {
      ok: true,
      plan: {
        topUp: plain,
        refundableMinor: refundable,
        amountMinor: amount,
        currency: topUp.currency as Currency,
        provider: deps.providers.get(topUp.provider as ProviderName)?.refund ? "automatic" : "manual",
        panel: credited === 0 ? "not_credited" : deps.panel.debit ? "debit" : "manual",
      },
    };
  }

  /**
   * Refunds through the provider where it can, takes the credit back from the panel where it can,
   * and records both outcomes; each path that cannot be automatic is reported for the admin to do.
   */
  async function refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint }): Promise<RefundOutcome | RefundPlanResult> {
    const planned = await planRefund(input.reference, input.amountMinor);
    if (!planned.ok) return planned;
    const { plan } = planned;
    const topUp = plan.topUp;
    const panelAmount = toPanelAmount(plan.amountMinor, plan.currency, deps.panelCurrency, deps.khrPerUsd).amountMinor;
    const row = await db.refund.create({
      data: { topUpId: topUp.id, amountMinor: plan.amountMinor, currency: plan.currency, reason: input.reason, adminId: input.adminId, providerStatus: "PENDING", panelStatus: "PENDING" },
    });

    let provider: RefundOutcome["provider"] = { status: "MANUAL", message: "this provider has no refund API: return the money from its dashboard or by bank transfer" };
    const adapter = deps.providers.get(topUp.provider as ProviderName);
    if (adapter?.refund) {
      const payment = await db.payment.findFirstOrThrow({ where: { topUpId: topUp.id }, orderBy: { id: "asc" } });
      try {
        const r = await adapter.refund(topUpRef(topUp), payment.providerTxnId, plan.amountMinor, input.reason);
        provider = r.status === "refunded" ? { status: "REFUNDED", message: r.providerRef } : r.status === "unsupported" ? { status: "UNSUPPORTED", message: r.message } : { status: "FAILED", message: r.message };
      } catch (err) {
        provider = { status: "FAILED", message: (err as Error).message };
      }
    }

    let panel: RefundOutcome["panel"];
    if (plan.panel === "not_credited") {
      panel = { status: "NOT_CREDITED", message: "the payment was never credited on the panel; its held credit is cancelled", amountMinor: 0, currency: deps.panelCurrency };
    } else if (deps.panel.debit) {
      try {
        await deps.panel.debit(topUp.panelLogin, panelAmount, `KHQR REFUND ${topUp.reference} ${row.id}`);
        panel = { status: "DEBITED", amountMinor: panelAmount, currency: deps.panelCurrency };
      } catch (err) {
        const unknown = err instanceof PanelError && err.kind === "unknown";
        panel = { status: "FAILED", message: unknown ? `no answer from the panel: check whether it deducted before trying again (${(err as Error).message})` : (err as Error).message, amountMinor: panelAmount, currency: deps.panelCurrency };
      }
    } else {
      panel = { status: "MANUAL_REQUIRED", message: "this panel has no deduction API: deduct the balance by hand in the panel's admin", amountMinor: panelAmount, currency: deps.panelCurrency };
    }

    const fullRefund = plan.amountMinor === plan.refundableMinor;
    await db.$transaction(async (tx) => {
      await tx.refund.update({ where: { id: row.id }, data: { providerStatus: provider.status, providerRef: provider.status === "REFUNDED" ? provider.message ?? null : null, panelStatus: panel.status, panelDetail: panel.message ?? null } });
      if (fullRefund) await tx.topUp.update({ where: { id: topUp.id }, data: { status: TopUpStatus.REFUNDED } });
      if (plan.panel === "not_credited") {
        await tx.credit.updateMany({ where: { topUpId: topUp.id, status: CreditStatus.HELD }, data: { status: CreditStatus.CANCELLED, lastError: `refunded by admin ${input.adminId}` } });
      }
      await audit(tx, { actorId: input.adminId, action: "refund", subject: topUp.reference, reason: input.reason, details: { refundId: row.id, amountMinor: plan.amountMinor, currency: plan.currency, provider, panel } });
    });
    deps.log.info({ reference: topUp.reference, refundId: row.id, provider: provider.status, panel: panel.status }, "refund recorded");
    return { refundId: row.id, reference: topUp.reference, amountMinor: plan.amountMinor, currency: plan.currency, provider, panel };
  }

  return { planRefund, refund };
}
