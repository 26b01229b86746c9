import type { Db } from "../db/database.js";
import type { Refund, TopUp } from "../generated/sqlite/client.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../payments/states.js";
import { moveCredit, moveTopUp } from "./moves.js";
import { enqueueNotification } from "./outbox.js";

type Tx = Pick<Db, "refund" | "topUp" | "credit" | "notification">;

/** A refund whose money an admin returned by hand and confirmed. */
const RETURNED_BY_HAND = "RETURNED";
/** Provider outcomes that leave the money with the merchant: the refund is pending until an admin returns it. */
export const PENDING_PROVIDER_STATUSES = ["MANUAL", "UNSUPPORTED", "FAILED"];

/** A refund the provider did not make stays pending until an admin returns the money by hand. */
export function refundPending(providerStatus: string): boolean {
  return providerStatus !== "REFUNDED";
}

/** Records a refund an admin asked for before the provider and the panel are called: both outcomes PENDING. */
export async function openRefund(tx: Tx, input: { topUpId: number; amountMinor: number; currency: string; reason: string; adminId: bigint }): Promise<Refund> {
  return tx.refund.create({ data: { ...input, providerStatus: "PENDING", panelStatus: "PENDING" } });
}

export interface RefundResult {
  provider: { status: string; message?: string };
  panel: { status: string; message?: string };
  /** The whole refundable amount went back: the top-up is refunded and its unpaid bonus cancelled. */
  fullRefund: boolean;
  /** The payment never reached the panel: its held credit (`heldCreditId`, or every held one) is cancelled. */
  notCredited: boolean;
  heldCreditId?: number;
  adminId: bigint;
}

/**
 * Records what the provider and the panel did with a refund, moves its top-up and credits, and tells the
 * customer once the money is on its way back (the provider refunded it; otherwise it is pending).
 */
export async function recordRefundResult(tx: Tx, refund: Refund, topUp: Pick<TopUp, "id" | "chatId">, result: RefundResult): Promise<void> {
  const { provider, panel } = result;
  await tx.refund.update({
    where: { id: refund.id },
    data: { providerStatus: provider.status, providerRef: provider.status === "REFUNDED" ? provider.message ?? null : null, panelStatus: panel.status, panelDetail: panel.message ?? null },
  });
  if (result.fullRefund) {
    await moveTopUp(tx, topUp.id, TopUpStatus.REFUNDED);
    // A bonus not yet on the panel is not earned by money that went back.
    const unpaidBonus = await tx.credit.findMany({ where: { topUpId: topUp.id, kind: CreditKind.BONUS, status: { in: [CreditStatus.QUEUED, CreditStatus.HELD] } }, select: { id: true } });
    for (const c of unpaidBonus) await moveCredit(tx, c.id, CreditStatus.CANCELLED, { lastError: `top-up refunded by admin ${result.adminId}` }, { from: [CreditStatus.QUEUED, CreditStatus.HELD] });
  }
  if (result.notCredited) {
    const which = result.heldCreditId === undefined ? {} : { id: result.heldCreditId };
    const held = await tx.credit.findMany({ where: { topUpId: topUp.id, status: CreditStatus.HELD, ...which }, select: { id: true } });
    for (const c of held) await moveCredit(tx, c.id, CreditStatus.CANCELLED, { lastError: `refunded by admin ${result.adminId}` }, { from: [CreditStatus.HELD] });
  }
  if (!refundPending(provider.status)) await enqueueNotification(tx, [topUp.chatId], `refunded:${refund.id}`, { kind: "topup.refunded", refundId: refund.id });
}

/**
 * A pending refund's money was returned by hand: marks it once and tells the customer.
 * Returns false when it was not pending (already confirmed, or refunded by the provider).
 */
export async function markRefundReturned(tx: Tx, refund: Pick<Refund, "id">, chatId: bigint): Promise<boolean> {
  const taken = await tx.refund.updateMany({ where: { id: refund.id, providerStatus: { in: PENDING_PROVIDER_STATUSES } }, data: { providerStatus: RETURNED_BY_HAND } });
  if (taken.count === 0) return false;
  await enqueueNotification(tx, [chatId], `refunded:${refund.id}`, { kind: "topup.refunded", refundId: refund.id });
  return true;
}
