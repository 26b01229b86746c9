import type { PayWayConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { orderPaymentKey } from "../../../ledger/reference.js";
import type { Currency } from "../../../money/money.js";
import type { CreatedPayment, PaymentProvider, TopUpRef, WebhookRequest, WebhookResult } from "../../provider.js";
import { constantTimeEqual } from "../constant-time.js";
import { buildDynamicKhqr } from "../local-khqr.js";
import { bookAmount } from "../held-amount.js";
import { PAYWAY_PAID_STATUS, readNotification, type PayWayNotification } from "./payway-webhook.js";
import { header, isJson, parseJson, reject, unexpectedFormat } from "../webhook-input.js";

export interface PayWayDeps {
  log: Logger;
  merchantName: string;
  merchantCity: string;
  now?: () => number;
  /** The top-ups' currency (TOPUP_CURRENCY, default USD): a payment in neither USD nor KHR is held as 0 of it. */
  currency?: Currency;
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
    if (typeof json !== "object" || json === null || Array.isArray(json)) return reject(400, "the body is not a JSON object");
    // Unsigned: the path token and a reference of ours are all that make a notification ours.
    const body = readNotification(json as Record<string, unknown>);
    if (!body) return reject(404, "merchant_ref is not a reference of ours");
    const { reference } = body;
    if (body.status !== undefined && body.status !== PAYWAY_PAID_STATUS) {
      const description = body.description ?? "no description";
      return {
        kind: "ignored",
        reason: `PayWay status "${body.status}" (${description}) is not a payment`,
        adminNote: { reference, detail: `PayWay sent status "${body.status}" (${description}) for transaction ${body.tranId ?? "(unreadable)"}: not booked as a payment. If it was paid, this is a format we do not know yet; check it in PayWay.` },
      };
    }
    // Ours from here on: recorded, and held for an admin when anything is not as documented.
    const booked = bookAmount(body.amount, body.currency, deps.currency ?? "USD");
    const holdReason = unexpectedFormat("PayWay sent a notification", [...body.odd, ...(booked.odd ? [booked.odd] : [])]);
    deps.log.info({ provider: "payway", tranId: body.tranId, reference }, "PayWay payment notification");
    // Amount and currency go to the ledger as paid; it holds whatever differs from the order. Without a
    // readable tran_id the order stands for its payment, as a placeholder PayWay never names later.
    return {
      kind: "observed",
      observations: [{
        provider: "payway", providerTxnId: body.tranId ?? orderPaymentKey(reference), reference, amountMinor: booked.amountMinor, currency: booked.currency,
        payer: payerOf(body), ...(holdReason ? { holdReason } : {}), raw: json,
      }],
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

function payerOf(body: PayWayNotification): string | undefined {
  const parts = [body.payerName?.trim(), body.payerAccount ? maskAccountNumber(body.payerAccount) : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/** PayWay already sends "*898"; whatever arrives, at most the last three characters stay visible. */
export function maskAccountNumber(account: string): string {
  const visible = account.replace(/\*/g, "").trim().slice(-3);
  return `*${visible}`;
}
