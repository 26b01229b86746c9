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

/** Why a payment is not simply credited. OK and REPEAT are credited; the rest wait for an admin. */
export const PaymentFlag = {
  OK: "OK",
  REPEAT: "REPEAT",
  UNDERPAID: "UNDERPAID",
  OVERPAID: "OVERPAID",
  CURRENCY_MISMATCH: "CURRENCY_MISMATCH",
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

export const CreditKind = { PAYMENT: "payment", MANUAL: "manual" } as const;

export type ObservationSource = "webhook" | "poll" | "check";
