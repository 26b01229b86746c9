import type { Db } from "../db/database.js";
import type { Refund, TopUp } from "../generated/sqlite/client.js";
import { CreditStatus, TopUpStatus } from "./states.js";
import { moveCredit, moveTopUp } from "./moves.js";
import { enqueueNotification } from "./outbox.js";
import { decideRefund, type RefundDecision, type RefundProblem, type RefundRules, type RefundState } from "./refund-plan.js";

type Tx = Pick<Db, "refund" | "topUp" | "credit" | "notification" | "payment">;

/** A refund whose money an admin returned by hand and confirmed. */
const RETURNED_BY_HAND = "RETURNED";
/** The provider was not asked: the panel could not take the credit back, and an admin decides (refund anyway). */
export const NOT_SENT = "NOT_SENT";
/** Provider outcomes that leave the money with the merchant: the refund is pending until an admin returns it. */
export const PENDING_PROVIDER_STATUSES = ["MANUAL", "UNSUPPORTED", "FAILED"];

/** A refund the provider did not make stays pending until an admin returns the money by hand. */
export function refundPending(providerStatus: string): boolean {
  return providerStatus !== "REFUNDED";
}

/** A top-up's rows as a refund decides on them. */
export async function refundState(tx: Tx, topUpId: number): Promise<RefundState & { topUp: TopUp }> {
  const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: topUpId } });
  const payments = await tx.payment.findMany({ where: { topUpId }, select: { id: true, amountMinor: true, currency: true } });
  const credits = await tx.credit.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
  const refunds = await tx.refund.findMany({ where: { topUpId }, select: { amountMinor: true, fromPanelMinor: true, bonusBackMinor: true, panelLogin: true } });
  return { topUp, payments, credits, refunds };
}

/** A credit moved between the read and the write (a crediter claimed it): the refund is not made. */
class CreditMoved extends Error {
  constructor(readonly creditId: number) {
    super(`credit ${creditId} changed while the refund was being recorded`);
  }
}

export type OpenedRefund = { ok: true; refund: Refund; decision: RefundDecision; topUp: TopUp } | { ok: false; problem: RefundProblem | { reason: "not_found" | "changed" } };

/**
 * Plans and records a refund in one step under the top-up's row lock (the first write of the transaction):
 * two confirmations of one plan refund once (the second finds `expectedRefundedMinor` changed), and a credit
 * being sent refuses it. Every credit of the top-up that has not reached the panel is cut or cancelled in
 * the same transaction, so it can never land after the money went back. The provider and the panel are
 * called afterwards; their outcomes are recorded by `recordRefundResult` or `stopRefund`.
 */
export async function openRefund(
  db: Pick<Db, "$transaction">,
  input: { reference: string; amountMinor?: number; heldCreditId?: number; expectedRefundedMinor?: number; reason: string; adminId: bigint; rules: RefundRules; at: Date },
): Promise<OpenedRefund> {
  try {
    return await db.$transaction(async (tx) => {
      const locked = await tx.topUp.updateMany({ where: { reference: input.reference }, data: { updatedAt: input.at } });
      if (locked.count === 0) return { ok: false, problem: { reason: "not_found" } };
      const { id } = await tx.topUp.findUniqueOrThrow({ where: { reference: input.reference }, select: { id: true } });
      const state = await refundState(tx, id);
      const decision = decideRefund(state, input.rules, input);
      if ("reason" in decision) return { ok: false, problem: decision };
      if (input.expectedRefundedMinor !== undefined && input.expectedRefundedMinor !== decision.refundedBeforeMinor) return { ok: false, problem: { reason: "changed" } };

      for (const cut of decision.cuts) {
        const from = [CreditStatus.QUEUED, CreditStatus.HELD] as const;
        const moved =
          cut.amountMinor === 0
            ? await moveCredit(tx, cut.creditId, CreditStatus.CANCELLED, { lastError: `refunded by admin ${input.adminId}`, ...(cut.basisMinor === null ? {} : { basisMinor: 0 }) }, { from })
            : (await tx.credit.updateMany({ where: { id: cut.creditId, status: { in: [...from] } }, data: { amountMinor: cut.amountMinor, ...(cut.basisMinor === null ? {} : { basisMinor: cut.basisMinor }) } })).count === 1;
        if (!moved) throw new CreditMoved(cut.creditId);
      }
      if (decision.full) await moveTopUp(tx, id, TopUpStatus.REFUNDED);
      else if (!decision.stillOwed) await moveTopUp(tx, id, TopUpStatus.CREDITED, { creditedAt: state.topUp.creditedAt ?? input.at }, { from: [TopUpStatus.PAID, TopUpStatus.HELD] });

      const refund = await tx.refund.create({
        data: {
          merchantId: state.topUp.merchantId, topUpId: id, amountMinor: decision.amountMinor, currency: state.topUp.currency, reason: input.reason, adminId: input.adminId,
          providerStatus: "PENDING", panelStatus: "PENDING", fromPanelMinor: decision.fromPanelMinor, panelDebitMinor: decision.panelDebitMinor,
          bonusBackMinor: decision.bonusBackMinor, panelLogin: decision.panelDebitMinor > 0 ? decision.panelLogin : null, createdAt: input.at,
        },
      });
      return { ok: true, refund, decision, topUp: (await tx.topUp.findUniqueOrThrow({ where: { id } })) };
    });
  } catch (err) {
    if (err instanceof CreditMoved) return { ok: false, problem: { reason: "credit_in_flight", creditId: err.creditId, memo: "", status: CreditStatus.SENDING } };
    throw err;
  }
}

export interface RefundResult {
  provider: { status: string; message?: string };
  panel: { status: string; message?: string };
}

/** Records what the provider and the panel did with a refund, and tells the customer once the money is on its way back. */
export async function recordRefundResult(tx: Tx, refund: Pick<Refund, "id" | "merchantId">, topUp: Pick<TopUp, "chatId">, result: RefundResult): Promise<void> {
  const { provider, panel } = result;
  await tx.refund.update({
    where: { id: refund.id },
    data: { providerStatus: provider.status, providerRef: provider.status === "REFUNDED" ? provider.message ?? null : null, panelStatus: panel.status, panelDetail: panel.message ?? null },
  });
  if (!refundPending(provider.status)) await enqueueNotification(tx, refund.merchantId, [topUp.chatId], `refunded:${refund.id}`, { kind: "topup.refunded", refundId: refund.id });
}

/** The panel did not take the credit back: the provider is not asked, and the refund waits for an admin's decision. */
export async function stopRefund(tx: Tx, refund: Pick<Refund, "id">, panel: { status: string; message: string }): Promise<void> {
  await tx.refund.update({ where: { id: refund.id }, data: { providerStatus: NOT_SENT, panelStatus: panel.status, panelDetail: panel.message } });
}

/** An admin overrides a stopped refund (refund anyway): taken once; false when it was not stopped. */
export async function takeStoppedRefund(tx: Tx, refundId: number): Promise<boolean> {
  return (await tx.refund.updateMany({ where: { id: refundId, providerStatus: NOT_SENT }, data: { providerStatus: "PENDING" } })).count === 1;
}

/**
 * A pending refund's money was returned by hand: marks it once and tells the customer.
 * Returns false when it was not pending (already confirmed, or refunded by the provider).
 */
export async function markRefundReturned(tx: Tx, refund: Pick<Refund, "id" | "merchantId">, chatId: bigint): Promise<boolean> {
  const taken = await tx.refund.updateMany({ where: { id: refund.id, providerStatus: { in: PENDING_PROVIDER_STATUSES } }, data: { providerStatus: RETURNED_BY_HAND } });
  if (taken.count === 0) return false;
  await enqueueNotification(tx, refund.merchantId, [chatId], `refunded:${refund.id}`, { kind: "topup.refunded", refundId: refund.id });
  return true;
}
