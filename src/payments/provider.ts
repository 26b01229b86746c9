import type { ProviderName } from "../config/config.js";
import type { PaymentObservation } from "../ledger/observation.js";
import type { Currency } from "../money/money.js";

/** What an adapter needs to know about one of our top-ups. */
export interface TopUpRef {
  reference: string;
  amountMinor: number;
  currency: Currency;
  panelLogin: string;
  createdAt: Date;
  expiresAt: Date;
  providerRef?: string | null;
  md5?: string | null;
  qr?: string | null;
}

/** How the customer pays: a KHQR string shown as a card, or a hosted checkout link. */
export interface CreatedPayment {
  qr?: string;
  md5?: string;
  checkoutUrl?: string;
  providerRef?: string;
  /** When the provider sets its own expiry; otherwise the top-up's TTL applies. */
  expiresAt?: Date;
  /** A link that opens the payer's bank app on this payment, when the provider returns one (KESS `deeplink`). */
  deepLink?: string;
}

export type StatusResult =
  | { state: "paid"; observations: PaymentObservation[] }
  | { state: "pending" }
  | { state: "expired" }
  | { state: "failed"; reason: string };

export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** The secret path segment of endpoints protected by an unguessable URL (ABA PayWay). */
  pathToken?: string;
}

export type WebhookResult =
  | { kind: "observed"; observations: PaymentObservation[] }
  /** Authentic, but only a hint: confirm through the status API before recording anything. */
  | { kind: "signal"; reference: string }
  /**
   * Authentic and well-formed, but not a payment (e.g. a failed or pending status). With
   * `adminNote`, admins get one note about it (deduplicated on provider, reference and detail).
   */
  | { kind: "ignored"; reason: string; adminNote?: { reference?: string; detail: string } }
  | { kind: "rejected"; status: 400 | 401 | 403 | 404 | 415 | 422; reason: string };

export type RefundResult =
  | { status: "refunded"; providerRef?: string }
  | { status: "unsupported"; message: string }
  | { status: "failed"; message: string };

export interface ProviderCapabilities {
  presentation: "qr" | "checkout";
  /** A status API exists, so the poller can confirm payments without a webhook. */
  statusApi: boolean;
  webhook: boolean;
  /**
   * Webhooks carry a verifiable signature. When false (e.g. a secret URL only), a webhook
   * observation is still recorded, but only an exact first payment is credited automatically:
   * a repeat or a mismatch is held for an admin.
   */
  signedWebhook: boolean;
  /** Status checks that may run at once, and how many top-ups one status call can carry. */
  pollConcurrency: number;
  pollBatch: number;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  create(topUp: TopUpRef): Promise<CreatedPayment>;
  /** One result per top-up, in the same order. Present when capabilities.statusApi. */
  checkStatus?(topUps: readonly TopUpRef[]): Promise<StatusResult[]>;
  /** Verifies over the raw body before parsing anything into state. Present when capabilities.webhook. */
  verifyWebhook?(req: WebhookRequest): Promise<WebhookResult>;
  /** Closes the order at the provider when a top-up expires or is cancelled. */
  cancel?(topUp: TopUpRef): Promise<void>;
  refund?(topUp: TopUpRef, providerTxnId: string, amountMinor: number, reason: string): Promise<RefundResult>;
}

export type ProviderErrorKind = "rejected" | "unavailable" | "rate_limited" | "invalid_response";

/** A provider call that failed; `message` is fit for an admin, `code` is the provider's own. */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly opts: { code?: string | number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "ProviderError";
  }
}
