import type { AhnajakConfig } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import { decimalString, minorFromDecimal } from "../money.js";
import { ProviderError, type CreatedPayment, type PaymentProvider, type TopUpRef, type WebhookRequest, type WebhookResult } from "../provider.js";
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
import { constantTimeEqual } from "./constant-time.js";
import { firstMatching, header, isJson, parseJson, reject } from "./webhook-input.js";

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
    if (!isJson(header(req.headers, "content-type"))) return reject(415, "the body must be application/json");
    const json = parseJson(req.rawBody);
    if (typeof json !== "object" || json === null || Array.isArray(json)) return reject(400, "the body is not a JSON object");
    const body = json as Record<string, unknown>;
    const read = readWebhookValues(Object.fromEntries(WEBHOOK_VARIABLES.map((v) => [v, body[fields[v]]])) as Record<WebhookVariable, unknown>);
    if (!read.ok) return reject(400, `missing or malformed fields: ${read.variables.map((v) => fields[v]).join(", ")}`);
    const p = read.value;
    const amount = firstMatching(p.amountTexts, p.hash.toLowerCase(), (text) => webhookPayloadHash(p.transactionId, text, config.secretKey));
    if (amount === undefined) return reject(403, "payload hash does not match");
    const reference = p.transactionId;
    if (p.status.toUpperCase() !== AHNAJAK_PAID_STATUS) {
      return { kind: "ignored", reason: `status "${p.status}"`, adminNote: { reference, detail: `Ahnajak sent a signed notification with status "${p.status}" (not a payment); check it in the Ahnajak dashboard` } };
    }
    const amountMinor = minorFromDecimal(amount, "USD");
    if (amountMinor === null) {
      return { kind: "ignored", reason: `amount ${amount} is out of range`, adminNote: { reference, detail: `Ahnajak reports a signed payment of ${amount} USD, more than any top-up can be; check it in the Ahnajak dashboard` } };
    }
    return {
      kind: "observed",
      observations: [{ provider: NAME, providerTxnId: reference, reference, amountMinor, currency: "USD", raw: json }],
    };
  }

  return {
    name: NAME,
    // No status API: pollConcurrency/pollBatch are 1 only so that no caller divides by zero.
    capabilities: { presentation: "checkout", statusApi: false, webhook: true, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 },
    create,
    verifyWebhook,
  };
}

/** Shown on the receipt; kept short and ASCII so it survives URL and receipt handling. */
export function remarkFor(panelLogin: string): string {
  const login = panelLogin.replace(/[^A-Za-z0-9._@-]/g, "").slice(0, 32);
  return login ? `topup ${login}` : "topup";
}
