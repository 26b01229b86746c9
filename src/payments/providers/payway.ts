import type { PayWayConfig } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import { looksLikeReference } from "../reference.js";
import { CURRENCIES, minorFromDecimal, type Currency } from "../money.js";
import type { CreatedPayment, PaymentProvider, TopUpRef, WebhookRequest, WebhookResult } from "../provider.js";
import { constantTimeEqual } from "./constant-time.js";
import { buildDynamicKhqr } from "./local-khqr.js";
import { PAYWAY_PAID_STATUS, payWayWebhookBody, type PayWayWebhookBody } from "./payway-webhook.js";
import { header, isJson, parseJson, reject } from "./webhook-input.js";

export interface PayWayDeps {
  log: Logger;
  merchantName: string;
  merchantCity: string;
  now?: () => number;
}

/**
 * ABA PayWay KHQR: we build the QR ourselves (tag 30 with ABA's merchant data, 62.01 = our reference)
 * and PayWay posts an unsigned notification to a URL whose secret path token is the only credential.
 */
export function createPayWayProvider(config: PayWayConfig, deps: PayWayDeps): PaymentProvider {
  const now = deps.now ?? Date.now;

  async function create(topUp: TopUpRef): Promise<CreatedPayment> {
    return buildDynamicKhqr(
      { kind: "payway", bakongAccountId: config.bakongId, merchantId: config.merchantId, acquiringBank: config.acquiringBank, paywayData: config.data },
      topUp,
      { name: deps.merchantName, city: deps.merchantCity, mcc: config.mcc },
      now(),
    );
  }

  async function verifyWebhook(req: WebhookRequest): Promise<WebhookResult> {
    // Without a signature the path token is the only proof; a wrong one looks like no endpoint at all.
    if (!tokenMatches(req.pathToken, config.webhookToken)) return reject(404, "not found");
    if (!isJson(header(req.headers, "content-type"))) return reject(415, "the body must be application/json");
    const json = parseJson(req.rawBody);
    if (json === undefined) return reject(400, "body is not valid JSON");
    const parsed = payWayWebhookBody.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))].join(", ");
      return reject(400, `invalid or missing fields: ${fields}`);
    }
    const body = parsed.data;
    // Unsigned: the path token and a reference of ours are all that make a notification ours.
    if (!looksLikeReference(body.merchant_ref)) return reject(404, "merchant_ref is not a reference of ours");
    const reference = body.merchant_ref;
    if (body.status !== PAYWAY_PAID_STATUS) {
      const description = body.description ?? "no description";
      return {
        kind: "ignored",
        reason: `PayWay status "${body.status}" (${description}) is not a payment`,
        adminNote: { reference, detail: `PayWay sent status "${body.status}" (${description}) for transaction ${body.tran_id}: not booked as a payment. If it was paid, this is a format we do not know yet; check it in PayWay.` },
      };
    }
    const currency = body.original_currency.toUpperCase() as Currency;
    const amountMinor = CURRENCIES.includes(currency) ? minorFromDecimal(body.original_amount, currency) : null;
    if (amountMinor === null) {
      return {
        kind: "ignored",
        reason: `original_amount ${body.original_amount} ${body.original_currency} is not an exact USD or KHR amount`,
        adminNote: { reference, detail: `PayWay reports a payment of ${body.original_amount} ${body.original_currency} (transaction ${body.tran_id}) that is not an exact USD or KHR amount; check it in PayWay.` },
      };
    }
    deps.log.info({ provider: "payway", tranId: body.tran_id, reference }, "PayWay payment notification");
    // Amount and currency go to the ledger as paid; it holds whatever differs from the order.
    return {
      kind: "observed",
      observations: [{ provider: "payway", providerTxnId: body.tran_id, reference, amountMinor, currency, payer: payerOf(body), raw: json }],
    };
  }

  return {
    name: "payway",
    capabilities: {
      presentation: "qr",
      statusApi: false,
      webhook: true,
      signedWebhook: false,
      pollConcurrency: 1,
      pollBatch: 1,
    },
    create,
    verifyWebhook,
  };
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && expected !== "" && constantTimeEqual(given, expected);
}

function payerOf(body: PayWayWebhookBody): string | undefined {
  const parts = [body.payer_name?.trim(), body.payer_account ? maskAccountNumber(body.payer_account) : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/** PayWay already sends "*898"; whatever arrives, at most the last three characters stay visible. */
export function maskAccountNumber(account: string): string {
  const visible = account.replace(/\*/g, "").trim().slice(-3);
  return `*${visible}`;
}
