import type { ProviderName } from "../src/config/config.js";
import type { Currency } from "../src/money/money.js";
import type { ApiFaults, WebhookFaults } from "./faults.js";

/** An order as the bank app sees it: the QR it scanned or the checkout it opened. */
export interface PayableOrder {
  reference: string;
  qr?: string | null;
  checkoutUrl?: string | null;
  /** Pay a different amount or currency than asked (under/over-payment tests). */
  amountMinor?: number;
  currency?: Currency;
}

/** Every provider simulator: a real HTTP server speaking the provider's protocol, plus a "bank app". */
export interface ProviderSimulator {
  readonly name: ProviderName;
  readonly url: string;
  /** Pays like a bank app would, then sends the signed webhook where the provider has one. */
  pay(order: PayableOrder): Promise<{ providerTxnId: string }>;
  /** Where webhooks go (our server's /webhooks/<name> endpoint). */
  setWebhookUrl(url: string): void;
  readonly apiFaults: ApiFaults;
  readonly webhookFaults: WebhookFaults;
  close(): Promise<void>;
}
