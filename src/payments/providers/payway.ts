import type { PayWayConfig } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import { minorFromDecimal } from "../money.js";
import type { CreatedPayment, PaymentProvider, TopUpRef, WebhookRequest, WebhookResult } from "../provider.js";
import { constantTimeEqual } from "./constant-time.js";
import { buildDynamicKhqr } from "./local-khqr.js";
import { PAYWAY_PAID_STATUS, payWayWebhookBody, type PayWayWebhookBody } from "./payway-webhook.js";
import { header, reject } from "./webhook-input.js";

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
    const contentType = header(req.headers, "content-type") ?? "";
    if (!/^application\/json\b/i.test(contentType.trim())) {
      return reject(415, `expected application/json, got "${contentType}"`);
    }
    let json: unknown;
    try {
      json = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return reject(400, "body is not valid JSON");
    }
    const parsed = payWayWebhookBody.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))].join(", ");
      return reject(400, `invalid or missing fields: ${fields}`);
    }
    const body = parsed.data;
    if (body.status !== PAYWAY_PAID_STATUS) {
      return { kind: "ignored", reason: `PayWay status "${body.status}" (${body.description ?? "no description"}) is not a payment` };
    }
    const amountMinor = minorFromDecimal(body.original_amount, body.original_currency);
    if (amountMinor === null) {
      return reject(400, `original_amount ${String(body.original_amount)} is not an exact ${body.original_currency} amount`);
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
