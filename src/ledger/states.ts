/** Top-up lifecycle. A payment may still arrive for EXPIRED and CANCELLED top-ups: it is credited. */
export const TopUpStatus = {
  PENDING: "PENDING",
  PAID: "PAID",
  CREDITED: "CREDITED",
  HELD: "HELD",
  EXPIRED: "EXPIRED",
  CANCELLED: "CANCELLED",
  REFUNDED: "REFUNDED",
} as const;
export type TopUpStatus = (typeof TopUpStatus)[keyof typeof TopUpStatus];

/** Statuses in which a payment may still show up at the provider. */
export const OPEN_OR_LATE: readonly string[] = [TopUpStatus.PENDING, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED];

/**
 * What the ledger found when it recorded a payment. OK, and REPEAT from a signed source, are
 * credited; the rest wait for an admin. ORPHAN: no top-up of ours, so no credit at all.
 */
export const PaymentFlag = {
  OK: "OK",
  REPEAT: "REPEAT",
  UNDERPAID: "UNDERPAID",
  OVERPAID: "OVERPAID",
  CURRENCY_MISMATCH: "CURRENCY_MISMATCH",
  /** The adapter gave a reason to hold it (e.g. paid to another account). */
  REVIEW: "REVIEW",
  ORPHAN: "ORPHAN",
} as const;
export type PaymentFlag = (typeof PaymentFlag)[keyof typeof PaymentFlag];

/**
 * Credit outbox. SENDING means a worker claimed it and may have called the panel: if its lease
 * runs out the outcome is unknown and it is reconciled (RECONCILE), never blindly re-sent.
 */
export const CreditStatus = {
  QUEUED: "QUEUED",
  SENDING: "SENDING",
  RECONCILE: "RECONCILE",
  DONE: "DONE",
  HELD: "HELD",
  /** Refunded before it was ever credited. */
  CANCELLED: "CANCELLED",
} as const;
export type CreditStatus = (typeof CreditStatus)[keyof typeof CreditStatus];

/** BONUS: the deposit bonus (TOPUP_BONUS) a payment credit earns, queued when that credit is done. */
export const CreditKind = { PAYMENT: "payment", MANUAL: "manual", BONUS: "bonus" } as const;

export type ObservationSource = "webhook" | "poll" | "check";
