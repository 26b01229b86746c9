import type { Db, Dialect } from "../db/database.js";
import type { Credit, TopUp } from "../generated/sqlite/client.js";
import { CreditKind, CreditStatus, TopUpStatus } from "./states.js";
import { queueBonusCredit, type BonusPolicy } from "./bonus-credit.js";
import { moveCredit, moveTopUp } from "./moves.js";
import { enqueueNotification } from "./outbox.js";

type Tx = Pick<Db, "topUp" | "credit" | "payment" | "notification" | "$executeRawUnsafe">;

/**
 * A held credit an admin released turned out to be on the panel already (found by its memo): it is done,
 * not sent again. A payment credit finishes its top-up, earns its bonus and sends the receipt the crediter
 * would have sent (same key: one receipt whichever path finishes the credit); a bonus rides on its
 * payment's. On a refunded top-up it is the crediter's "landed after the refund" instead: a note to the admins. Returns null when the credit was no longer held, else the bonus queued (0 when none).
 */
export async function settleHeldFoundOnPanel(
  tx: Tx,
  dialect: Dialect,
  held: Credit,
  topUp: Pick<TopUp, "id" | "chatId" | "status"> | null,
  found: { panelPaymentId?: string },
  bonus: BonusPolicy | undefined,
  at: Date,
  adminChats: readonly bigint[],
): Promise<number | null> {
  if (!(await moveCredit(tx, held.id, CreditStatus.DONE, { doneAt: at, panelPaymentId: found.panelPaymentId ?? null, lastError: null }, { from: [CreditStatus.HELD] }))) return null;
  if (!topUp || held.kind === CreditKind.BONUS) return 0;
  // Refunded meanwhile (a payment made again after the refund): no bonus and no "credited" receipt, as the crediter.
  if (topUp.status === TopUpStatus.REFUNDED) {
    await enqueueNotification(tx, held.merchantId, adminChats, `after-refund:${held.id}`, { kind: "admin.after-refund", creditId: held.id }, at);
    return 0;
  }
  await moveTopUp(tx, topUp.id, TopUpStatus.CREDITED, { creditedAt: at });
  const bonusQueued = await queueBonusCredit(tx, dialect, held, bonus, at);
  await enqueueNotification(tx, held.merchantId, [topUp.chatId], `credited:${held.id}`, { kind: "topup.credited", topUpId: topUp.id, late: false }, at);
  return bonusQueued;
}

/**
 * Puts a held credit back in the crediter's queue, to `login` (the one it was paid for, or one an admin named),
 * with a fresh retry budget; its top-up is paid again, not held. Returns false when it was no longer held.
 */
export async function requeueHeldCredit(tx: Tx, held: Pick<Credit, "id">, topUpId: number | null, login: string, at: Date): Promise<boolean> {
  const taken = await moveCredit(
    tx, held.id, CreditStatus.QUEUED,
    { panelLogin: login, attempts: 0, firstFailureAt: null, nextAttemptAt: at, lastError: null, errorKind: null, claimedBy: null, claimedUntil: null },
    { from: [CreditStatus.HELD] },
  );
  if (!taken) return false;
  if (topUpId !== null) await moveTopUp(tx, topUpId, TopUpStatus.PAID, {}, { from: [TopUpStatus.HELD] });
  return true;
}
