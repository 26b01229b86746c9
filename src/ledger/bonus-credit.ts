import type { Db, Dialect } from "../db/database.js";
import type { Credit } from "../generated/sqlite/client.js";
import { bonusFor, type BonusTiers } from "../money/bonus.js";
import type { Currency } from "../money/money.js";
import { enqueueNotification } from "./outbox.js";
import { CreditKind, CreditStatus } from "./states.js";
import { creditMemo, toPanelAmount } from "./decide.js";
import { postgresTimestamp, sqliteTimestamp } from "./sql-time.js";

type Tx = Pick<Db, "payment" | "topUp" | "$executeRawUnsafe">;
type NoteTx = Pick<Db, "auditLog" | "notification">;

/** What earns a deposit bonus (TOPUP_BONUS) and at which rate it is converted when the payment's credit had none. */
export interface BonusPolicy {
  tiers: BonusTiers;
  khrPerUsd: number;
}

/** The memo of the bonus a payment earns: the payment credit's memo plus " bonus", unique like it. */
export function bonusMemo(reference: string, paymentId: number): string {
  return `${creditMemo(reference, paymentId)} bonus`;
}

/** The bonus credit a payment credit earns, ready to insert; null when it earns none. */
export interface PlannedBonus {
  /** Its payment credit's merchant. */
  merchantId: number;
  topUpId: number;
  panelLogin: string;
  amountMinor: number;
  currency: string;
  rate: string | null;
  memo: string;
}

/**
 * The deposit bonus a payment credit earns. The bonus is on what was paid (an admin-released under- or
 * overpayment earns the bonus of its real amount) less what a refund cut from the credit before it reached
 * the panel, converted to the panel's currency at the payment credit's rate. Manual and bonus credits earn none.
 */
export function planBonusCredit(
  credit: Pick<Credit, "merchantId" | "kind" | "paymentId" | "topUpId" | "panelLogin" | "currency" | "rate" | "basisMinor">,
  payment: { id: number; amountMinor: number; currency: string },
  reference: string,
  policy: BonusPolicy | undefined,
): PlannedBonus | null {
  if (!policy || policy.tiers.tiers.length === 0) return null;
  if (credit.kind !== CreditKind.PAYMENT || credit.topUpId === null) return null;
  const bonus = bonusFor(credit.basisMinor ?? payment.amountMinor, payment.currency as Currency, policy.tiers);
  if (bonus <= 0) return null;
  const rate = credit.rate === null ? policy.khrPerUsd : Number(credit.rate);
  const panel = toPanelAmount(bonus, payment.currency as Currency, credit.currency as Currency, rate);
  if (panel.amountMinor <= 0) return null;
  return { merchantId: credit.merchantId, topUpId: credit.topUpId, panelLogin: credit.panelLogin, amountMinor: panel.amountMinor, currency: credit.currency, rate: panel.rate, memo: bonusMemo(reference, payment.id) };
}

/** Column order of the bonus insert, shared by the SQLite and PostgreSQL writers. */
export function bonusValues(b: PlannedBonus): unknown[] {
  return [b.merchantId, b.topUpId, b.panelLogin, b.amountMinor, b.currency, b.rate, b.memo, CreditKind.BONUS, CreditStatus.QUEUED];
}

export const BONUS_INSERT_COLUMNS = `("merchantId", "paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "kind", "status", "attempts", "nextAttemptAt", "createdAt")`;

/**
 * Queues the deposit bonus a payment credit earns (planBonusCredit), in the transaction that marks that
 * credit done. The unique memo makes the insert a no-op when the bonus is already queued.
 * Returns the bonus queued, in the panel's minor units (0 when none).
 */
export async function queueBonusCredit(tx: Tx, dialect: Dialect, credit: Credit, policy: BonusPolicy | undefined, at: Date): Promise<number> {
  if (!policy || policy.tiers.tiers.length === 0 || credit.paymentId === null || credit.topUpId === null) return 0;
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: credit.paymentId }, select: { id: true, amountMinor: true, currency: true } });
  const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: credit.topUpId }, select: { reference: true } });
  const planned = planBonusCredit(credit, payment, topUp.reference, policy);
  if (!planned) return 0;
  const inserted =
    dialect === "sqlite"
      ? await tx.$executeRawUnsafe(
          `INSERT INTO "credits" ${BONUS_INSERT_COLUMNS} VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT ("memo") DO NOTHING`,
          ...bonusValues(planned), sqliteTimestamp(at), sqliteTimestamp(at),
        )
      : await tx.$executeRawUnsafe(
          `INSERT INTO "credits" ${BONUS_INSERT_COLUMNS} VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10::timestamp, $10::timestamp) ON CONFLICT ("memo") DO NOTHING`,
          ...bonusValues(planned), postgresTimestamp(at),
        );
  return inserted === 1 ? planned.amountMinor : 0;
}

/**
 * A bonus sends no receipt, so when one an admin released (/recredit, the alert's Credit button) lands,
 * the note /recredit promises is queued here (a payment credit's is queued as its receipt is sent).
 * Same key as that path: one note per credit. Returns whether one was queued.
 */
export async function noteReleasedBonus(tx: NoteTx, credit: Pick<Credit, "id" | "merchantId">, reference: string, adminChats: readonly bigint[], at: Date): Promise<boolean> {
  const audits = await tx.auditLog.findMany({ where: { merchantId: credit.merchantId, action: "recredit", subject: reference }, select: { details: true } });
  if (!audits.some((a) => (JSON.parse(a.details) as { creditId?: number }).creditId === credit.id)) return false;
  await enqueueNotification(tx, credit.merchantId, adminChats, `recredited:${credit.id}`, { kind: "admin.recredited", creditId: credit.id }, at);
  return true;
}
