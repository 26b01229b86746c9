import type { TopUp } from "../generated/sqlite/client.js";
import type { NotificationPayload } from "./outbox.js";
import { formatMoney, khrToUsdCents, type Currency } from "../money/money.js";
import type { PaymentObservation } from "./observation.js";
import { orderPaymentKey } from "./reference.js";
import { CreditKind, CreditStatus, PaymentFlag, TopUpStatus } from "./states.js";

// What the ledger decides about a verified payment, written once for both hot paths
// (src/ledger/sqlite-recorder.ts and src/ledger/postgres-recorder.ts).

/** The memo that tags a credit on the panel; unique, so a credit can be found again by it. */
export function creditMemo(reference: string, paymentId: number): string {
  return `${creditMemoPrefix(reference)}${paymentId}`;
}

/** The memo before its payment id, for a statement that learns the id as it inserts the payment. */
export function creditMemoPrefix(reference: string): string {
  return `KHQR ${reference} `;
}

/** Converts a paid amount into the panel's currency; the rate is recorded when one was used. */
export function toPanelAmount(amountMinor: number, currency: Currency, panelCurrency: Currency, khrPerUsd: number): { amountMinor: number; rate: string | null } {
  if (currency === panelCurrency) return { amountMinor, rate: null };
  if (currency === "KHR") return { amountMinor: khrToUsdCents(amountMinor, khrPerUsd), rate: String(khrPerUsd) };
  // USD cents to whole riel is exact.
  return { amountMinor: (amountMinor * khrPerUsd) / 100, rate: String(khrPerUsd) };
}

/** What both payment recorders need to know of the merchant an observation came for. */
export interface RecorderConfig {
  /**
   * The merchant whose route the webhook arrived on, or whose top-up was polled: the payment, its credit and
   * notes are that merchant's, and only its top-ups and payments are looked up.
   */
  merchantId: number;
  adminChats: readonly bigint[];
  panelCurrency: Currency;
  khrPerUsd: number;
}

export interface Verdict {
  flag: PaymentFlag;
  /** Set when the payment must wait for an admin: the reason in plain words. */
  holdReason: string | null;
}

/** Decides what a payment on one of our top-ups is; pure, so the rule reads in one place. */
export function judgePayment(obs: PaymentObservation, topUp: Pick<TopUp, "amountMinor" | "currency" | "provider">, priorPayments: number, signed: boolean): Verdict {
  const paid = formatMoney(obs.amountMinor, obs.currency);
  const ordered = formatMoney(topUp.amountMinor, topUp.currency as Currency);
  const mismatch =
    obs.currency !== topUp.currency ? { flag: PaymentFlag.CURRENCY_MISMATCH, why: `paid ${paid} in another currency than the order (${ordered})` }
    : obs.amountMinor < topUp.amountMinor ? { flag: PaymentFlag.UNDERPAID, why: `paid ${paid}, less than the ${ordered} ordered` }
    : obs.amountMinor > topUp.amountMinor ? { flag: PaymentFlag.OVERPAID, why: `paid ${paid}, more than the ${ordered} ordered` }
    : null;
  const reasons = [mismatch?.why, obs.holdReason].filter((r): r is string => Boolean(r));
  if (priorPayments > 0 && !signed) {
    reasons.push(`a further payment on an order already paid, reported by ${topUp.provider} whose notifications are not signed: confirm it at ${topUp.provider} first`);
  }
  const flag = mismatch?.flag ?? (priorPayments > 0 ? PaymentFlag.REPEAT : obs.holdReason ? PaymentFlag.REVIEW : PaymentFlag.OK);
  return { flag, holdReason: reasons.length > 0 ? reasons.join("; ") : null };
}

/** A payment already recorded on the top-up, as far as telling it apart from a new one goes. */
export interface EarlierPayment {
  id: number;
  provider: string;
  providerTxnId: string;
  amountMinor: number;
  currency: string;
}

/** An observation that is a payment already recorded: rename the row to the transaction now named, or nothing to do. */
export type SamePayment = { kind: "rekey"; paymentId: number; placeholderKey: string } | { kind: "seen"; paymentId: number };

/**
 * The key of a payment seen before its provider named the bank transaction: our reference (a
 * RaksmeyPay Verify answer) or `order:<reference>` (a KESS order without transaction_id).
 */
function isPlaceholderKey(providerTxnId: string, reference: string): boolean {
  return providerTxnId === reference || providerTxnId === orderPaymentKey(reference);
}

/**
 * Polling can see a payment before the webhook names its transaction, and either may arrive first;
 * both must stay one payment. A named transaction meeting a placeholder row of the same amount takes
 * it over (once: renamed, the row no longer has the placeholder key, so a genuine second payment is
 * still a repeat). A placeholder meeting any payment of the same amount is that payment.
 */
export function samePaymentRecorded(obs: PaymentObservation, reference: string, earlier: readonly EarlierPayment[]): SamePayment | null {
  const sameMoney = (p: EarlierPayment) => p.provider === obs.provider && p.amountMinor === obs.amountMinor && p.currency === obs.currency;
  if (isPlaceholderKey(obs.providerTxnId, reference)) {
    const named = earlier.find(sameMoney);
    return named ? { kind: "seen", paymentId: named.id } : null;
  }
  const unnamed = earlier.find((p) => sameMoney(p) && isPlaceholderKey(p.providerTxnId, reference));
  return unnamed ? { kind: "rekey", paymentId: unnamed.id, placeholderKey: unnamed.providerTxnId } : null;
}

/** A payment on an open or lapsed top-up settles it; a further payment leaves its state alone. */
export const SETTLED_BY_A_PAYMENT = [TopUpStatus.PENDING, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED] as const;

export function orphanReason(obs: PaymentObservation, topUp: Pick<TopUp, "provider"> | null): string {
  const sent = obs.reference ? `reference ${obs.reference}` : obs.md5 ? `QR md5 ${obs.md5}` : "no reference";
  const why = !topUp ? `no top-up of ours matches ${sent}` : `${sent} is a top-up paid through ${topUp.provider}, not ${obs.provider}`;
  return obs.holdReason ? `${why}; ${obs.holdReason}` : why;
}

/** The credit a payment on one of our top-ups queues (or holds), in the panel's currency. */
export function creditFor(deps: Pick<RecorderConfig, "merchantId" | "panelCurrency" | "khrPerUsd">, obs: PaymentObservation, topUp: Pick<TopUp, "id" | "panelLogin" | "reference">, paymentId: number, verdict: Verdict, now: Date) {
  const held = verdict.holdReason !== null;
  const amount = toPanelAmount(obs.amountMinor, obs.currency, deps.panelCurrency, deps.khrPerUsd);
  return {
    merchantId: deps.merchantId, paymentId, topUpId: topUp.id, panelLogin: topUp.panelLogin, amountMinor: amount.amountMinor, currency: deps.panelCurrency, rate: amount.rate,
    memo: creditMemo(topUp.reference, paymentId), kind: CreditKind.PAYMENT, status: held ? CreditStatus.HELD : CreditStatus.QUEUED,
    nextAttemptAt: now, createdAt: now, lastError: verdict.holdReason, errorKind: held ? "flagged" : null,
  };
}

export interface PlannedNote {
  chatIds: readonly bigint[];
  key: string;
  payload: NotificationPayload;
}

export function orphanNotes(deps: Pick<RecorderConfig, "adminChats">, paymentId: number, reason: string): PlannedNote[] {
  return [{ chatIds: deps.adminChats, key: `payment:${paymentId}`, payload: { kind: "admin.orphan", paymentId, reason } }];
}

/** The admins always hear of a payment; the customer, when it is held. */
export function paymentNotes(deps: Pick<RecorderConfig, "adminChats">, paymentId: number, topUp: Pick<TopUp, "id" | "chatId">, verdict: Verdict): PlannedNote[] {
  const held = verdict.holdReason !== null;
  const adminKind = held ? "admin.flagged" : verdict.flag === PaymentFlag.REPEAT ? "admin.repeat" : "admin.payment";
  const notes: PlannedNote[] = [{ chatIds: deps.adminChats, key: `payment:${paymentId}`, payload: { kind: adminKind, paymentId } }];
  if (held) notes.push({ chatIds: [topUp.chatId], key: `held-payment:${paymentId}`, payload: { kind: "topup.held", topUpId: topUp.id, paymentId } });
  return notes;
}

