import type { ProviderName } from "../config/config.js";
import type { Currency } from "../money/money.js";
import type { ObservationSource, PaymentFlag } from "./states.js";

/** A payment the provider has vouched for (signature checked, or confirmed by its status API). */
export interface PaymentObservation {
  provider: ProviderName;
  /** The provider's own transaction id: the key that makes a payment count once. */
  providerTxnId: string;
  /** Our top-up reference, when the provider echoes it. */
  reference?: string;
  /** The md5 of the QR that was paid, when that is how the provider identifies the order. */
  md5?: string;
  amountMinor: number;
  currency: Currency;
  /** Masked payer account or name, never a full account number. */
  payer?: string;
  /**
   * The adapter's reason, in plain words, to hold this verified payment for an admin instead of
   * crediting it (e.g. "paid to account x@bank, ours is y@bank"). The ledger still records it.
   */
  holdReason?: string;
  raw: unknown;
}

/** Every verified observation ends as exactly one of these, and all but "duplicate" add a payment row. */
export type RecordOutcome =
  | { outcome: "recorded"; paymentId: number; topUpId: number; reference: string; panelLogin: string; flag: PaymentFlag; creditId: number }
  /** Recorded, credit HELD for an admin; the admins and the customer are told. */
  | { outcome: "held"; paymentId: number; topUpId: number; reference: string; panelLogin: string; flag: PaymentFlag; creditId: number; reason: string }
  /** Recorded without a top-up of ours (unknown reference, or another provider's): admins are told. */
  | { outcome: "orphan"; paymentId: number; reason: string }
  /**
   * This payment was recorded before: under this key, or (`rekeyed`) under a placeholder key that
   * now carries the transaction the provider named (src/ledger/decide.ts samePaymentRecorded).
   */
  | { outcome: "duplicate"; paymentId: number; rekeyed?: true }
  /**
   * Unsigned and for no top-up of ours with this provider: a reference of ours is part of what
   * verifies an unsigned notification, so this one is not verified. Nothing is stored.
   */
  | { outcome: "unverified" };

export interface RecordOptions {
  source: ObservationSource;
  /**
   * Vouched for by a signature or by the provider's status API. An unsigned observation (a webhook
   * protected only by a secret URL) is credited automatically only when it is the exact first payment.
   */
  signed: boolean;
}
