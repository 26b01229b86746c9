import type { ProviderName } from "../config/config.js";
import type { Currency } from "../money/money.js";

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
