import type { Db } from "../db/database.js";
import type { Credit } from "../generated/sqlite/client.js";
import { CreditKind, CreditStatus, TopUpStatus } from "./states.js";
import { noteReleasedBonus } from "./bonus-credit.js";
import type { PanelReceipt } from "./credit-queue.js";
import { moveCredit, moveTopUp } from "./moves.js";
import { enqueueNotification } from "./outbox.js";

/**
 * The crediter's rare outcomes (held, retry later, outcome unknown, bonus applied, stale claims), on
 * Prisma: they happen once per failure, not once per payment (the hot path is src/ledger/credit-queue.ts).
 * Each clears the claim the crediter held.
 */
const RELEASE = { claimedBy: null, claimedUntil: null } as const;

/** Holds a credit for an admin; a top-up waiting for it is held and its customer told. */
export async function holdCredit(db: Db, credit: Credit, lastError: string, errorKind: string, adminChats: readonly bigint[], at: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    await moveCredit(tx, credit.id, CreditStatus.HELD, { lastError, errorKind, ...RELEASE }, { required: true });
    // A held bonus waits for an admin alone: its top-up was credited and the customer has the receipt.
    if (credit.topUpId !== null && credit.kind !== CreditKind.BONUS) {
      // Only a top-up waiting for this credit is held; a credited (earlier payment) or refunded one keeps its state.
      await moveTopUp(tx, credit.topUpId, TopUpStatus.HELD, {}, { from: [TopUpStatus.PAID] });
      const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: credit.topUpId }, select: { id: true, chatId: true } });
      await enqueueNotification(tx, credit.merchantId, [topUp.chatId], `held:${topUp.id}`, { kind: "topup.held", topUpId: topUp.id }, at);
    }
    // A payment's held credit names the payment, so held credits piling up (a panel outage) join the admins' digest.
    const payment = credit.paymentId === null ? {} : { paymentId: credit.paymentId };
    await enqueueNotification(tx, credit.merchantId, adminChats, `credit-held:${credit.id}:${credit.attempts}`, { kind: "admin.held", ...payment, creditId: credit.id }, at);
  });
}

/** A failed attempt: back to `status` (QUEUED or RECONCILE) at `nextAttemptAt`. */
export async function retryCredit(db: Db, credit: Credit, status: typeof CreditStatus.QUEUED | typeof CreditStatus.RECONCILE, retry: { firstFailureAt: Date; nextAttemptAt: Date; lastError: string; errorKind: string }): Promise<void> {
  await moveCredit(db, credit.id, status, { attempts: credit.attempts + 1, ...retry, ...RELEASE }, { required: true });
}

/** The panel call's outcome is unknown: look for the memo on the panel at `nextAttemptAt`. */
export async function reconcileCredit(db: Db, credit: Credit, nextAttemptAt: Date, detail: string): Promise<void> {
  await moveCredit(db, credit.id, CreditStatus.RECONCILE, { nextAttemptAt, lastError: detail, errorKind: "unknown", ...RELEASE }, { required: true });
}

/** The memo is not on the panel: safe to send again now. */
export async function requeueCredit(db: Db, credit: Credit, at: Date): Promise<void> {
  await moveCredit(db, credit.id, CreditStatus.QUEUED, { nextAttemptAt: at, ...RELEASE }, { required: true });
}

/**
 * A deposit bonus applied: no receipt (the payment's named it), but an admin who released it is told.
 * Returns whether that note was queued.
 */
export async function finishBonusCredit(db: Db, credit: Credit, receipt: PanelReceipt, adminChats: readonly bigint[], at: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await moveCredit(
      tx, credit.id, CreditStatus.DONE,
      { doneAt: at, panelPaymentId: receipt.panelPaymentId ?? null, balanceMinor: receipt.balanceMinor ?? null, lastError: null, ...RELEASE },
      { required: true },
    );
    if (credit.topUpId === null) return false;
    const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: credit.topUpId }, select: { userId: true, reference: true } });
    if (receipt.balanceMinor !== undefined) await tx.user.update({ where: { id: topUp.userId }, data: { lastBalanceMinor: receipt.balanceMinor } });
    return noteReleasedBonus(tx, credit, topUp.reference, adminChats, at);
  });
}

/** SENDING claims whose lease ran out (their worker died or hung mid-call), taken over by this instance. */
export async function takeStaleClaims(db: Db, opts: { instanceId: string; at: Date; leaseMs: number }): Promise<Credit[]> {
  const stale = await db.credit.findMany({ where: { status: CreditStatus.SENDING, claimedUntil: { lt: opts.at } }, take: 100 });
  const taken: Credit[] = [];
  for (const credit of stale) {
    const won = await db.credit.updateMany({
      where: { id: credit.id, status: CreditStatus.SENDING, claimedUntil: credit.claimedUntil },
      data: { claimedBy: opts.instanceId, claimedUntil: new Date(opts.at.getTime() + opts.leaseMs) },
    });
    if (won.count === 1) taken.push(credit);
  }
  return taken;
}
