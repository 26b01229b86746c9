import type { ProviderName } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import { toPanelAmount } from "../ledger/decide.js";
import { markRefundReturned, openRefund, PENDING_PROVIDER_STATUSES, recordRefundResult, refundPending } from "../ledger/refunds.js";
import type { Currency } from "../payments/money.js";
import { CreditKind, CreditStatus } from "../payments/states.js";
import { topUpRef, type Providers } from "../payments/topups.js";
import { PanelError, type PanelClient } from "../panel/panel-client.js";
import type { ConfirmReturnedOutcome, RefundOutcome, RefundPlanResult } from "./admin-service.js";
import { audit } from "./audit.js";

export interface RefundDeps {
  database: Database;
  providers: Providers;
  panel: PanelClient;
  wakeup: Wakeup;
  panelCurrency: Currency;
  khrPerUsd: number;
  log: Logger;
}

/** The bonus share refunds up to `refundedMinor` of `paidMinor` take back: proportional, all of it on a full refund. */
function bonusShare(bonusMinor: number, refundedMinor: number, paidMinor: number): number {
  if (paidMinor <= 0 || refundedMinor >= paidMinor) return bonusMinor;
  return Number((BigInt(bonusMinor) * BigInt(refundedMinor)) / BigInt(paidMinor));
}

export function createRefunds(deps: RefundDeps) {
  const { db } = deps.database;

  /** `heldCreditId`: the refund is of that held credit's payment, which the panel never received. */
  async function planRefund(reference: string, amountMinor?: number, heldCreditId?: number): Promise<RefundPlanResult> {
    const topUp = await db.topUp.findUnique({ where: { reference }, include: { payments: true, refunds: true } });
    if (!topUp) return { ok: false, reason: "not_found" };
    const paid = topUp.payments.filter((p) => p.currency === topUp.currency).reduce((sum, p) => sum + p.amountMinor, 0);
    if (paid === 0) return { ok: false, reason: "not_paid" };
    const refundedBefore = topUp.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
    const refundable = paid - refundedBefore;
    if (refundable <= 0) return { ok: false, reason: "nothing_left" };
    const held = heldCreditId === undefined ? undefined : await heldPayment(topUp.id, topUp.currency, heldCreditId);
    if (held === null) return { ok: false, reason: "not_held" };
    const amount = amountMinor ?? held?.amountMinor ?? refundable;
    if (!Number.isSafeInteger(amount) || amount <= 0) return { ok: false, reason: "invalid_amount" };
    if (amount > refundable) return { ok: false, reason: "amount_too_large" };
    const credits = await db.credit.findMany({ where: { topUpId: topUp.id, status: CreditStatus.DONE }, select: { kind: true, amountMinor: true, currency: true } });
    const bonus = credits.filter((c) => c.kind === CreditKind.BONUS && c.currency === deps.panelCurrency).reduce((s, c) => s + c.amountMinor, 0);
    const panel = credits.length === 0 || held ? "not_credited" : deps.panel.debit ? "debit" : "manual";
    const { payments: _p, refunds: _r, ...plain } = topUp;
    return {
      ok: true,
      plan: {
        topUp: plain,
        refundableMinor: refundable,
        amountMinor: amount,
        currency: topUp.currency as Currency,
        provider: deps.providers.get(topUp.provider as ProviderName)?.refund ? "automatic" : "manual",
        panel,
        bonusTakeBackMinor: panel === "not_credited" ? 0 : bonusShare(bonus, refundedBefore + amount, paid) - bonusShare(bonus, refundedBefore, paid),
        panelCurrency: deps.panelCurrency,
      },
    };
  }

  /**
   * Refunds through the provider where it can, takes the credit (and its share of the bonus) back from the
   * panel where it can, and records both outcomes. A refund the provider did not make is pending until an
   * admin returns the money by hand and confirms it; the customer is told once the money is on its way back.
   */
  async function refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint; heldCreditId?: number }): Promise<RefundOutcome | RefundPlanResult> {
    const planned = await planRefund(input.reference, input.amountMinor, input.heldCreditId);
    if (!planned.ok) return planned;
    const { plan } = planned;
    const topUp = plan.topUp;
    const creditBack = plan.panel === "not_credited" ? 0 : toPanelAmount(plan.amountMinor, plan.currency, deps.panelCurrency, deps.khrPerUsd).amountMinor;
    const bonusBack = plan.bonusTakeBackMinor;
    const panelAmount = creditBack + bonusBack;
    const row = await openRefund(db, { topUpId: topUp.id, amountMinor: plan.amountMinor, currency: plan.currency, reason: input.reason, adminId: input.adminId });

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

    const panelBase = { amountMinor: panelAmount, bonusMinor: bonusBack, currency: deps.panelCurrency };
    let panel: RefundOutcome["panel"];
    if (plan.panel === "not_credited") {
      panel = { status: "NOT_CREDITED", message: "the payment was never credited on the panel; its held credit is cancelled", ...panelBase };
    } else if (deps.panel.debit) {
      try {
        await deps.panel.debit(topUp.panelLogin, panelAmount, `KHQR REFUND ${topUp.reference} ${row.id}`);
        panel = { status: "DEBITED", ...panelBase };
      } catch (err) {
        const unknown = err instanceof PanelError && err.kind === "unknown";
        panel = { status: "FAILED", message: unknown ? `no answer from the panel: check whether it deducted before trying again (${(err as Error).message})` : (err as Error).message, ...panelBase };
      }
    } else {
      panel = { status: "MANUAL_REQUIRED", message: "this panel has no deduction API: deduct the balance by hand in the panel's admin", ...panelBase };
    }

    const pending = refundPending(provider.status);
    const fullRefund = plan.amountMinor === plan.refundableMinor;
    await db.$transaction(async (tx) => {
      await recordRefundResult(tx, row, topUp, { provider, panel, fullRefund, notCredited: plan.panel === "not_credited", heldCreditId: input.heldCreditId, adminId: input.adminId });
      await audit(tx, { actorId: input.adminId, action: "refund", subject: topUp.reference, reason: input.reason, details: { refundId: row.id, amountMinor: plan.amountMinor, currency: plan.currency, provider, panel, pending } });
    });
    if (!pending) deps.wakeup.notify("notifications");
    deps.log.info({ reference: topUp.reference, refundId: row.id, provider: provider.status, panel: panel.status, pending }, "refund recorded");
    return { refundId: row.id, reference: topUp.reference, amountMinor: plan.amountMinor, currency: plan.currency, provider, panel, pending };
  }

  /**
   * The payment behind a held credit of this top-up; null when that credit is not held here, has no
   * payment, or was paid in another currency than the order (refund that one at the provider).
   */
  async function heldPayment(topUpId: number, currency: string, creditId: number): Promise<{ amountMinor: number } | null> {
    const credit = await db.credit.findFirst({ where: { id: creditId, topUpId, status: CreditStatus.HELD }, include: { payment: true } });
    return credit?.payment && credit.payment.currency === currency ? { amountMinor: credit.payment.amountMinor } : null;
  }

  /** The admin returned a pending refund's money by hand: once, audited, and the customer is told. */
  async function confirmReturned(input: { refundId: number; adminId: bigint }): Promise<ConfirmReturnedOutcome> {
    const row = await db.refund.findUnique({ where: { id: input.refundId }, include: { topUp: true } });
    if (!row) return { status: "not_found" };
    const done = await db.$transaction(async (tx) => {
      if (!(await markRefundReturned(tx, row, row.topUp.chatId))) return false;
      await audit(tx, { actorId: input.adminId, action: "refund_returned", subject: row.topUp.reference, details: { refundId: row.id, amountMinor: row.amountMinor, currency: row.currency, before: row.providerStatus } });
      return true;
    });
    if (!done) return { status: "already_done" };
    deps.wakeup.notify("notifications");
    return { status: "confirmed", reference: row.topUp.reference, amountMinor: row.amountMinor, currency: row.currency as Currency };
  }

  async function pendingRefunds(reference: string) {
    const rows = await db.refund.findMany({ where: { topUp: { reference }, providerStatus: { in: PENDING_PROVIDER_STATUSES } }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ refundId: r.id, amountMinor: r.amountMinor, currency: r.currency as Currency, createdAt: r.createdAt }));
  }

  return { planRefund, refund, confirmReturned, pendingRefunds };
}
