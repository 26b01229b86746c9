import type { RaksmeyPayConfig } from "../../config/config.js";
import { formBody, OutboundError, send, type OutboundResponse } from "../../http/outbound.js";
import type { Logger } from "../../logger.js";
import { khqrMd5, validateKhqr } from "../khqr/index.js";
import { CURRENCIES, decimalString, minorFromDecimal, type Currency } from "../money.js";
import {
  ProviderError,
  type CreatedPayment,
  type PaymentObservation,
  type PaymentProvider,
  type StatusResult,
  type TopUpRef,
  type WebhookRequest,
  type WebhookResult,
} from "../provider.js";
import {
  QR_API_REFUSALS,
  RAKSMEYPAY_TRANSACTION_ID,
  qrApiAnswer,
  qrApiData,
  qrApiPath,
  verifyAnswer,
  verifyApiPath,
  webhookPayload,
  type QrApiRequest,
  type VerifyApiRequest,
} from "./raksmeypay-api.js";
import { qrRequestHash, verifyRequestHash, webhookHash } from "./raksmeypay-signing.js";
import { constantTimeEqual } from "./constant-time.js";
import { header, isJson, parseJson, reject } from "./webhook-input.js";
import type { z } from "zod";

const NAME = "raksmeypay";
const DEFAULT_TIMEOUT_MS = 15_000;

export interface RaksmeyPayDeps {
  log: Logger;
  now?: () => number;
  /** Whole-answer deadline of each API call. */
  timeoutMs?: number;
}

/**
 * RaksmeyPay (seed 001): KHQR from the QR API, confirmation by webhook and by the Verify API.
 *
 * The payment key (providerTxnId) is our transaction_id, i.e. the top-up reference, on both paths:
 * the Verify answer carries no id of RaksmeyPay's, and RaksmeyPay accepts one payment per
 * transaction_id (a second request answers code 8 "already paid"), so the webhook and the poller
 * de-duplicate on the same key.
 */
export function createRaksmeyPayProvider(config: RaksmeyPayConfig, deps: RaksmeyPayDeps): PaymentProvider {
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = deps.now ?? Date.now;

  async function call(path: string, fields: QrApiRequest | VerifyApiRequest): Promise<{ json: unknown; text: string }> {
    let res: OutboundResponse;
    try {
      res = await send(baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: formBody({ ...fields }),
        timeoutMs,
      });
    } catch (err) {
      if (err instanceof OutboundError) throw new ProviderError(NAME, "unavailable", `RaksmeyPay did not answer: ${err.message}`, { cause: err });
      throw err;
    }
    if (res.status === 429) {
      throw new ProviderError(NAME, "rate_limited", "RaksmeyPay: too many requests (HTTP 429)", { retryAfterMs: retryAfterMs(res.headers["retry-after"], now()) });
    }
    if (res.status >= 500) throw new ProviderError(NAME, "unavailable", `RaksmeyPay answered HTTP ${res.status}`);
    try {
      return { json: JSON.parse(res.text) as unknown, text: res.text };
    } catch {
      throw unexpected(`HTTP ${res.status}, not JSON`, res.text);
    }
  }

  async function create(topUp: TopUpRef): Promise<CreatedPayment> {
    const transactionId = topUp.reference;
    if (!RAKSMEYPAY_TRANSACTION_ID.test(transactionId)) {
      throw new ProviderError(NAME, "rejected", `RaksmeyPay needs a numeric transaction id of at most 15 digits, not "${transactionId}"`);
    }
    if (topUp.amountMinor <= 0) throw new ProviderError(NAME, "rejected", "RaksmeyPay: the amount must be positive");
    const amount = decimalString(topUp.amountMinor, topUp.currency);
    const remark = remarkFor(topUp.panelLogin);
    // A request that got no answer is safe to repeat: the same transaction_id gets the same QR back.
    const { json, text } = await call(qrApiPath(config.profileId), {
      transaction_id: transactionId,
      amount,
      remark,
      qr_template: config.qrTemplate,
      hash: qrRequestHash(config.profileKey, transactionId, amount, remark),
    });
    const answer = parseOr(qrApiAnswer, json, text);
    if (answer.responseCode !== 0) throw refusal(answer.responseCode, answer.responseMessage);
    const data = parseOr(qrApiData, answer.data, text);
    if (data.transaction_id !== transactionId) throw unexpected(`QR for transaction ${data.transaction_id}, asked for ${transactionId}`, text);

    // The currency is the profile's, not a request field: make sure the QR asks for exactly this top-up.
    const decoded = validateKhqr(data.qr, { now });
    if (!decoded.ok) throw unexpected(`the QR is not a usable KHQR (${decoded.error.code}: ${decoded.error.message})`, text);
    const qr = decoded.value;
    if (qr.currency !== topUp.currency || qr.amountMinor !== topUp.amountMinor) {
      throw unexpected(
        `the QR asks for ${qr.amountMinor ?? "no amount"} ${qr.currency} (minor units), the top-up is ${topUp.amountMinor} ${topUp.currency}; check the profile's currency`,
        text,
      );
    }
    const md5 = khqrMd5(data.qr);
    if (data.md5 !== undefined && data.md5.toLowerCase() !== md5) {
      deps.log.warn({ provider: NAME, reference: transactionId }, "RaksmeyPay's md5 differs from the md5 of its QR; using the QR's");
    }
    return {
      qr: data.qr,
      md5,
      providerRef: data.transaction_id,
      expiresAt: qr.expiresAt === undefined ? undefined : new Date(qr.expiresAt),
    };
  }

  async function checkOne(topUp: TopUpRef): Promise<StatusResult> {
    const transactionId = topUp.reference;
    const { json, text } = await call(verifyApiPath(config.profileId), {
      transaction_id: transactionId,
      hash: verifyRequestHash(config.profileKey, transactionId),
    });
    const answer = parseOr(verifyAnswer, json, text);
    if (answer.status === 0) {
      const why = answer.err_msg ?? "";
      if (/not\s*found/i.test(why)) return { state: "pending" };
      if (/hash/i.test(why)) throw new ProviderError(NAME, "rejected", `RaksmeyPay: ${why} (check RAKSMEYPAY_PROFILE_KEY)`);
      throw new ProviderError(NAME, "rejected", `RaksmeyPay: ${why || "verify refused without a reason"}`);
    }
    if (answer.status !== 1 || answer.payment_status === undefined) throw unexpected("unknown verify answer", text);
    const status = answer.payment_status.toUpperCase();
    if (status === "PENDING") return { state: "pending" };
    if (status !== "SUCCESS") throw unexpected(`unknown payment_status "${answer.payment_status}"`, text);
    // The verify answer states no currency: the QR was issued in the order's currency.
    const amountMinor = answer.payment_amount === undefined ? null : minorFromDecimal(answer.payment_amount, topUp.currency);
    if (amountMinor === null) throw unexpected("SUCCESS without an exact payment_amount", text);
    // A SUCCESS for a different amount is still reported as paid, with the amount actually paid:
    // the ledger compares it with the order and flags it under- or over-paid for an admin.
    const observation: PaymentObservation = {
      provider: NAME,
      providerTxnId: transactionId,
      reference: transactionId,
      amountMinor,
      currency: topUp.currency,
      raw: json,
    };
    return { state: "paid", observations: [observation] };
  }

  async function verifyWebhook(req: WebhookRequest): Promise<WebhookResult> {
    const apiKey = header(req.headers, "x-api-key");
    if (!apiKey) return reject(401, "missing X-Api-Key header");
    if (!constantTimeEqual(apiKey, config.webhookApiKey)) return reject(401, "wrong X-Api-Key");
    if (!isJson(header(req.headers, "content-type"))) return reject(415, "the body must be application/json");
    const json = parseJson(req.rawBody);
    if (json === undefined) return reject(400, "the body is not JSON");
    const parsed = webhookPayload.safeParse(json);
    if (!parsed.success) return reject(400, `missing or malformed fields: ${fieldsOf(parsed.error)}`);
    const p = parsed.data;
    const expected = webhookHash(config.profileKey, p.timestamp, p.amount, p.bakong_hash, p.transaction_id);
    if (!constantTimeEqual(p.hash.toLowerCase(), expected)) return reject(403, "hash does not match");
    if (p.profile_id !== config.profileId) return reject(403, "the payment belongs to another profile");
    if (p.status.toLowerCase() !== "success") return { kind: "ignored", reason: `status "${p.status}"` };
    const currency = p.currency.toUpperCase() as Currency;
    if (!CURRENCIES.includes(currency)) return reject(422, `unknown currency "${p.currency}"`);
    const amountMinor = minorFromDecimal(p.amount, currency);
    if (amountMinor === null) return reject(422, `amount "${p.amount}" is not an exact ${currency} amount`);
    return {
      kind: "observed",
      observations: [{ provider: NAME, providerTxnId: p.transaction_id, reference: p.transaction_id, amountMinor, currency, raw: json }],
    };
  }

  return {
    name: NAME,
    capabilities: { presentation: "qr", statusApi: true, webhook: true, signedWebhook: true, pollConcurrency: 4, pollBatch: 1 },
    create,
    async checkStatus(topUps) {
      const results: StatusResult[] = [];
      for (const topUp of topUps) results.push(await checkOne(topUp));
      return results;
    },
    verifyWebhook,
  };
}

/** A short ASCII remark: RaksmeyPay hashes it as received, so nothing it might normalise goes in. */
export function remarkFor(panelLogin: string): string {
  const login = panelLogin.replace(/[^A-Za-z0-9._@-]/g, "").slice(0, 32);
  return login ? `topup ${login}` : "topup";
}

function refusal(code: number, providerMessage: string | undefined): ProviderError {
  const known = QR_API_REFUSALS[code];
  const message = known ?? `RaksmeyPay refused the request (code ${code}${providerMessage ? `: ${providerMessage}` : ""})`;
  return new ProviderError(NAME, "rejected", message, { code });
}

function unexpected(what: string, raw: string): ProviderError {
  return new ProviderError(NAME, "invalid_response", `RaksmeyPay answered something unexpected (${what}): ${raw.slice(0, 500)}`);
}

function parseOr<T extends z.ZodType>(schema: T, value: unknown, raw: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw unexpected(fieldsOf(r.error), raw);
  return r.data;
}

function fieldsOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
