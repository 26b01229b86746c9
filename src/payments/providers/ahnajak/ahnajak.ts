import { createHash } from "node:crypto";
import type { AhnajakConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { decimalString } from "../../../money/money.js";
import { ProviderError, type CreatedPayment, type PaymentProvider, type TopUpRef, type WebhookRequest, type WebhookResult } from "../../provider.js";
import type { PaymentObservation } from "../../../ledger/observation.js";
import {
  AHNAJAK_PAID_STATUS,
  AHNAJAK_TRANSACTION_ID,
  WEBHOOK_VARIABLES,
  checkoutPath,
  readWebhookValues,
  webhookFieldNames,
  type CheckoutQuery,
  type WebhookVariable,
} from "./ahnajak-api.js";
import { checkoutRequestHash, webhookPayloadHash, webhookSignature } from "./ahnajak-signing.js";
import { constantTimeEqual } from "../constant-time.js";
import { bookAmount } from "../held-amount.js";
import { firstMatching, header, parseJson, reject, unexpectedFormat } from "../webhook-input.js";

const NAME = "ahnajak";

/**
 * Ahnajak ABA Pay checkout (seed 000): a signed link to a hosted KHQR page, confirmed only by its
 * signed webhook (there is no status API).
 *
 * The webhook carries no transaction id of the gateway, so the payment key (providerTxnId) is our
 * transaction_id, the top-up reference: one checkout session is one payment.
 */
export function createAhnajakProvider(config: AhnajakConfig, _deps: { log: Logger; now?: () => number }): PaymentProvider {
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const fields = webhookFieldNames(config.payloadTemplate);

  async function create(topUp: TopUpRef): Promise<CreatedPayment> {
    if (topUp.currency !== "USD") throw new ProviderError(NAME, "rejected", "Ahnajak accepts USD only");
    if (topUp.amountMinor < 1) throw new ProviderError(NAME, "rejected", "Ahnajak: the amount must be at least 0.01 USD");
    if (!AHNAJAK_TRANSACTION_ID.test(topUp.reference)) {
      throw new ProviderError(NAME, "rejected", `Ahnajak: unusable transaction id "${topUp.reference}"`);
    }
    const amount = decimalString(topUp.amountMinor, "USD");
    const query: CheckoutQuery = {
      transaction_id: topUp.reference,
      amount,
      remark: remarkFor(topUp.panelLogin),
      hash: checkoutRequestHash(config.profileId, topUp.reference, amount, config.secretKey),
    };
    return { checkoutUrl: `${baseUrl}${checkoutPath(config.profileId)}?${new URLSearchParams({ ...query }).toString()}` };
  }

  async function verifyWebhook(req: WebhookRequest): Promise<WebhookResult> {
    const signature = header(req.headers, "x-ahnajak-signature");
    if (!signature) return reject(401, "missing X-Ahnajak-Signature header");
    if (!constantTimeEqual(signature.trim().toLowerCase(), webhookSignature(config.secretKey, req.rawBody))) {
      return reject(403, "X-Ahnajak-Signature does not match the body");
    }
    // Signed from here on, every byte (the content type is not, and does not matter): whatever the body
    // says is recorded, and held for an admin when anything is not as documented.
    const json = parseJson(req.rawBody);
    if (typeof json !== "object" || json === null || Array.isArray(json)) return observed(unreadable(req.rawBody));
    const body = json as Record<string, unknown>;
    const p = readWebhookValues(Object.fromEntries(WEBHOOK_VARIABLES.map((v) => [v, body[fields[v]]])) as Record<WebhookVariable, unknown>, fields);
    const id = p.reference ?? p.otherId;
    if (p.status !== undefined && p.status.toUpperCase() !== AHNAJAK_PAID_STATUS) {
      return { kind: "ignored", reason: `status "${p.status}"`, adminNote: { reference: id, detail: `Ahnajak sent a signed notification with status "${p.status}" (not a payment); check it in the Ahnajak dashboard` } };
    }
    const hashed = id === undefined || p.hash === undefined ? undefined : firstMatching(p.amountTexts, p.hash, (text) => webhookPayloadHash(id, text, config.secretKey));
    const booked = bookAmount(hashed ?? p.amount, "USD", "USD");
    const odd = [
      ...p.odd,
      ...(id !== undefined && p.hash !== undefined && hashed === undefined ? [`the payload hash does not match ${fields.transaction_id} and ${fields.amount}`] : []),
      ...(booked.odd ? [booked.odd] : []),
    ];
    const holdReason = unexpectedFormat(SIGNED, odd);
    // A transaction_id that is not one of our references is kept as an orphan under that id; none at all, under the body's digest.
    return observed({
      provider: NAME, providerTxnId: id ?? bodyKey(req.rawBody), ...(id !== undefined ? { reference: id } : {}), amountMinor: booked.amountMinor, currency: "USD",
      ...(holdReason ? { holdReason } : {}), raw: json,
    });
  }

  return {
    name: NAME,
    // No status API: pollConcurrency/pollBatch are 1 only so that no caller divides by zero.
    capabilities: { presentation: "checkout", statusApi: false, webhook: true, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 },
    create,
    verifyWebhook,
  };
}

const SIGNED = "Ahnajak sent a signed notification";

function observed(observation: PaymentObservation): WebhookResult {
  return { kind: "observed", observations: [observation] };
}

/** The key of a signed body that names no transaction: its bytes, so that a redelivery is a duplicate. */
function bodyKey(rawBody: Buffer): string {
  return `body:${createHash("sha256").update(rawBody).digest("hex")}`;
}

/** A signed body that is no JSON object: kept as an orphan of no amount, for an admin to look into. */
function unreadable(rawBody: Buffer): PaymentObservation {
  return {
    provider: NAME, providerTxnId: bodyKey(rawBody), amountMinor: 0, currency: "USD",
    holdReason: unexpectedFormat(SIGNED, ["the body is not a JSON object"])!, raw: rawBody.toString("utf8"),
  };
}

/** Shown on the receipt; kept short and ASCII so it survives URL and receipt handling. */
export function remarkFor(panelLogin: string): string {
  const login = panelLogin.replace(/[^A-Za-z0-9._@-]/g, "").slice(0, 32);
  return login ? `topup ${login}` : "topup";
}
