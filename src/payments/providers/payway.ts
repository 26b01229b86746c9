import { timingSafeEqual } from "node:crypto";
import type { PayWayConfig } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import { encodeKhqr, khqrMd5 } from "../khqr/index.js";
import { minorFromDecimal } from "../money.js";
import type { CreatedPayment, PaymentProvider, TopUpRef, WebhookRequest, WebhookResult } from "../provider.js";
import { PAYWAY_PAID_STATUS, payWayWebhookBody, type PayWayWebhookBody } from "./payway-webhook.js";

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
    const qr = encodeKhqr({
      account: {
        kind: "payway",
        bakongAccountId: config.bakongId,
        merchantId: config.merchantId,
        acquiringBank: config.acquiringBank,
        paywayData: config.data,
      },
      mcc: config.mcc,
      merchantName: deps.merchantName,
      merchantCity: deps.merchantCity,
      currency: topUp.currency,
      amountMinor: topUp.amountMinor,
      billNumber: topUp.reference,
      createdAt: now(),
      expiresAt: topUp.expiresAt.getTime(),
    });
    return { qr, md5: khqrMd5(qr) };
  }

  async function verifyWebhook(req: WebhookRequest): Promise<WebhookResult> {
    // Without a signature the path token is the only proof; a wrong one looks like no endpoint at all.
    if (!tokenMatches(req.pathToken, config.webhookToken)) return { kind: "rejected", status: 404, reason: "not found" };
    const contentType = headerValue(req.headers, "content-type") ?? "";
    if (!/^application\/json\b/i.test(contentType.trim())) {
      return { kind: "rejected", status: 415, reason: `expected application/json, got "${contentType}"` };
    }
    let json: unknown;
    try {
      json = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return { kind: "rejected", status: 400, reason: "body is not valid JSON" };
    }
    const parsed = payWayWebhookBody.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))].join(", ");
      return { kind: "rejected", status: 400, reason: `invalid or missing fields: ${fields}` };
    }
    const body = parsed.data;
    if (body.status !== PAYWAY_PAID_STATUS) {
      return { kind: "ignored", reason: `PayWay status "${body.status}" (${body.description ?? "no description"}) is not a payment` };
    }
    const amountMinor = minorFromDecimal(body.original_amount, body.original_currency);
    if (amountMinor === null) {
      return { kind: "rejected", status: 400, reason: `original_amount ${String(body.original_amount)} is not an exact ${body.original_currency} amount` };
    }
    deps.log.info({ provider: "payway", tranId: body.tran_id, reference: body.merchant_ref }, "PayWay payment notification");
    return {
      kind: "observed",
      observations: [
        {
          provider: "payway",
          providerTxnId: body.tran_id,
          reference: body.merchant_ref,
          amountMinor,
          currency: body.original_currency,
          payer: payerOf(body),
          raw: json,
        },
      ],
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
  if (given === undefined || expected === "") return false;
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerValue(headers: WebhookRequest["headers"], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
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
