import type { RaksmeyPayConfig } from "../../../config/config.js";
import { formBody } from "../../../http/outbound.js";
import type { Logger } from "../../../logger.js";
import { decodeKhqr, khqrMd5, validateKhqr, type DecodedKhqr, type KhqrError } from "../../../khqr/index.js";
import { decimalString, minorFromDecimal, type Currency } from "../../../money/money.js";
import {
  ProviderError,
  type CreatedPayment,
  type PaymentProvider,
  type StatusResult,
  type TopUpRef,
  type WebhookRequest,
  type WebhookResult,
} from "../../provider.js";
import type { PaymentObservation } from "../../../ledger/observation.js";
import {
  QR_API_REFUSALS,
  RAKSMEYPAY_TRANSACTION_ID,
  qrApiAnswer,
  qrApiData,
  qrApiPath,
  verifyAnswer,
  verifyApiPath,
  readSignedFields,
  WEBHOOK_TIMESTAMP_WINDOW_S,
  type QrApiRequest,
  type VerifyApiRequest,
} from "./raksmeypay-api.js";
import { qrRequestHash, verifyRequestHash, webhookHash } from "./raksmeypay-signing.js";
import { constantTimeEqual } from "../constant-time.js";
import { createPollGrace } from "./raksmeypay-poll-grace.js";
import { bookAmount, knownCurrency } from "../held-amount.js";
import { checkShape, ProviderTransport, readJson, type ProviderOp } from "../../provider-transport.js";
import { firstMatching, header, isJson, parseJson, reject, shown, unexpectedFormat } from "../webhook-input.js";
import { z } from "zod";

const NAME = "raksmeypay";

export interface RaksmeyPayDeps {
  log: Logger;
  now?: () => number;
  /** Whole-answer deadline of each API call. */
  timeoutMs?: number;
  /** How long a SUCCESS seen by polling waits for the webhook to record it (raksmeypay-poll-grace.ts). */
  pollGraceMs?: number;
  /** The top-ups' currency (TOPUP_CURRENCY, default USD): a payment in neither USD nor KHR is held as 0 of it. */
  currency?: Currency;
}

/**
 * The webhook is sent as RaksmeyPay confirms the payment and normally lands within a second. A poll
 * that records first is not a double credit either way: the ledger re-keys it when the webhook names it.
 */
export const POLL_GRACE_MS = 1_000;

/**
 * RaksmeyPay (seed 001): KHQR from the QR API, confirmation by webhook and by the Verify API.
 *
 * A payment's key (providerTxnId) is its bank transaction, the webhook's `bakong_hash`: a second
 * delivery of the same hash is a duplicate, a new hash on the same transaction_id is the QR paid
 * again. The Verify answer names no bank transaction, so a payment seen only by polling is keyed by
 * our transaction_id (the top-up reference), and only after the webhook has had its chance; when the
 * webhook comes later, the ledger renames that payment to its bakong_hash (src/ledger/decide.ts).
 */
export function createRaksmeyPayProvider(config: RaksmeyPayConfig, deps: RaksmeyPayDeps): PaymentProvider {
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const now = deps.now ?? Date.now;
  const transport = new ProviderTransport({
    provider: NAME, label: "RaksmeyPay", timeoutMs: deps.timeoutMs, log: deps.log, now, secrets: [config.profileKey, config.webhookApiKey],
  });
  const pollGrace = createPollGrace(deps.pollGraceMs ?? POLL_GRACE_MS, now);

  /** A signed form POST; the answer's JSON, whatever its HTTP status (refusals come as JSON too). */
  async function call(path: string, fields: QrApiRequest | VerifyApiRequest, op: ProviderOp): Promise<{ json: unknown; text: string }> {
    const res = await transport.call(baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: formBody({ ...fields }),
    }, op);
    const read = readJson(res.text, z.unknown());
    if (!read.ok) throw unexpected(`HTTP ${res.status}, not JSON`, res.text);
    return { json: read.value, text: res.text };
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
    }, { name: "qr-api", write: true });
    const answer = parseOr(qrApiAnswer, json, text);
    if (answer.responseCode !== 0) throw refusal(answer.responseCode, answer.responseMessage);
    const data = parseOr(qrApiData, answer.data, text);
    if (data.transaction_id !== transactionId) throw unexpected(`QR for transaction ${data.transaction_id}, asked for ${transactionId}`, text);

    // The currency is the profile's, not a request field: make sure the QR asks for exactly this top-up.
    const qr = usableQr(data.qr, now);
    if (!qr.ok) throw unexpected(`the QR is not a usable KHQR (${qr.error.code}: ${qr.error.message})`, text);
    if (qr.value.currency !== topUp.currency || qr.value.amountMinor !== topUp.amountMinor) {
      throw unexpected(
        `the QR asks for ${qr.value.amountMinor ?? "no amount"} ${qr.value.currency} (minor units), the top-up is ${topUp.amountMinor} ${topUp.currency}; check the profile's currency`,
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
      expiresAt: qr.value.expiresAt === undefined ? undefined : new Date(qr.value.expiresAt),
    };
  }

  async function checkOne(topUp: TopUpRef): Promise<StatusResult> {
    const transactionId = topUp.reference;
    const { json, text } = await call(verifyApiPath(config.profileId), {
      transaction_id: transactionId,
      hash: verifyRequestHash(config.profileKey, transactionId),
    }, { name: "verify" });
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
    // Once the top-up has expired the poller may not come back, so a late payment is recorded at once.
    if (now() < topUp.expiresAt.getTime() && !pollGrace.due(transactionId)) return { state: "pending" };
    // A SUCCESS for a different amount is still reported as paid, with the amount actually paid:
    // the ledger compares it with the order and flags it under- or over-paid for an admin.
    // No bank transaction in the answer: the order's key stands for its first payment.
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
    if (typeof json !== "object" || json === null || Array.isArray(json)) return reject(400, "the body is not a JSON object");
    const body = json as Record<string, unknown>;
    const read = readSignedFields(body);
    if (!read.ok) return reject(400, `missing or malformed fields: ${read.fields.join(", ")}`);
    const p = read.value;
    const amount = firstMatching(p.amountTexts, p.hash.toLowerCase(), (text) => webhookHash(config.profileKey, p.timestamp, text, p.bakongHash, p.transactionId));
    if (amount === undefined) return reject(403, "hash does not match");

    // Signed from here on: whatever else the body says, it is recorded (held when anything is odd).
    const currency = knownCurrency(body.currency);
    const profileId = typeof body.profile_id === "number" ? String(body.profile_id) : body.profile_id;
    const booked = bookAmount(amount, currency, deps.currency ?? "USD");
    const odd = [
      ...(currency === undefined ? [`currency ${shown(body.currency)} is neither USD nor KHR (the amount ${shown(amount)})`] : []),
      ...(booked.odd ? [booked.odd] : []),
      ...(typeof body.status === "string" && body.status.toLowerCase() === "success" ? [] : [`status ${shown(body.status)}, documented as always "success"`]),
      ...(profileId === config.profileId ? [] : [`profile_id ${shown(body.profile_id)} is not our profile`]),
      ...timestampOddity(Number(p.timestamp), now()),
    ];
    const holdReason = unexpectedFormat("RaksmeyPay sent a signed notification", odd);
    // The bank transaction is the payment: the same bakong_hash again is a duplicate delivery, a new one
    // on the same transaction_id is the same QR paid again.
    const observation: PaymentObservation = {
      provider: NAME, providerTxnId: p.bakongHash.toLowerCase(), reference: p.transactionId, amountMinor: booked.amountMinor, currency: booked.currency,
      ...(holdReason ? { holdReason } : {}), raw: json,
    };
    return { kind: "observed", observations: [observation] };
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

/**
 * A QR that validates, or one whose only fault is a missing expiry (tag 99.01): static-expiry QRs exist
 * in the wild, and the expiry check is the validator's last, so everything else (CRC, account, currency,
 * amount) has passed. Our own top-up TTL then decides expiry.
 */
function usableQr(qr: string, now: () => number): { ok: true; value: DecodedKhqr } | { ok: false; error: KhqrError } {
  const checked = validateKhqr(qr, { now });
  if (checked.ok) return checked;
  if (checked.error.code !== "EXPIRY_REQUIRED") return checked;
  const decoded = decodeKhqr(qr);
  return decoded.ok ? { ok: true, value: decoded.value } : decoded;
}

/** A signed webhook sent far from now: a late delivery, or one replayed (its bakong_hash then is a duplicate). */
function timestampOddity(timestampS: number, nowMs: number): string[] {
  const minutes = Math.round((timestampS - nowMs / 1000) / 60);
  if (Math.abs(timestampS - Math.floor(nowMs / 1000)) <= WEBHOOK_TIMESTAMP_WINDOW_S) return [];
  return [`timestamp ${timestampS} is ${Math.abs(minutes)} minutes ${minutes < 0 ? "before" : "after"} our clock`];
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
  const r = checkShape(value, schema);
  if (!r.ok) throw unexpected(r.problem, raw);
  return r.value;
}
