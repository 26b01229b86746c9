import { z } from "zod";
import { decimalString, minorFromDecimal, type Currency } from "../../../money/money.js";
import { ProviderError, type StatusResult, type TopUpRef } from "../../provider.js";
import type { PaymentObservation } from "../../../ledger/observation.js";
import { rateLimited, readJson, type ProviderAnswer } from "../../provider-transport.js";
import { orderPaymentKey } from "../../../ledger/reference.js";
import { heldAmountMinor, saidAmount } from "../held-amount.js";

/** KESS Pay's wire shapes (seed 002): OAuth token, the single merchant gateway, its services and errors. */

export const TOKEN_PATH = "/oauth/token";
export const GATEWAY_PATH = "/api/mch/v2/gateway";

export const SERVICE = {
  nativePay: "webpay.acquire.nativePay",
  queryOrder: "webpay.acquire.queryOrder",
  closeOrder: "webpay.acquire.closeorder",
  refund: "webpay.acquire.v2Refund",
} as const;
export type KessService = (typeof SERVICE)[keyof typeof SERVICE];

/** nativePay's `service_code` values. */
export const SERVICE_CODES = [
  "ABAAKHPP", "ACLBKHPP", "ALIPAY", "KHQR", "BIOBKHPP", "CADIKHPP", "CHNOKHPP", "EMONEY", "FTCCKHPP", "GOOGLEPAY",
  "HATHKHPP", "KESSKH", "KESSKHQR", "PPCBKHPP", "SBPLKHPP", "TRUEMONEY", "UPAY", "UNIONPAY", "VBLCKHPP", "VISA_MASTER",
  "WECHAT", "WING",
] as const;

/** "Available for VISA_MASTER, Wing Bank, ACLEDA Bank, WeChat and Alipay only." */
export const REFUNDABLE_SERVICE_CODES: readonly string[] = ["VISA_MASTER", "WING", "ACLBKHPP", "WECHAT", "ALIPAY"];

/** `out_trade_no`: String(32), "Alphanumeric or with dash". */
export const OUT_TRADE_NO = /^[A-Za-z0-9-]{1,32}$/;

/** "The refresh_token will expire after access_token expired 15 minutes." */
export const REFRESH_TOKEN_GRACE_MS = 15 * 60_000;

export interface PasswordGrant {
  grant_type: "password"; client_id: string; client_secret: string; username: string; password: string;
}
export interface RefreshGrant {
  grant_type: "refresh_token"; client_id: string; client_secret: string; refresh_token: string;
}

/** Every gateway request carries these; `sign` is makeSign over all the other fields. */
export interface GatewayEnvelope { service: KessService; sign_type: "MD5" | "HMAC-SHA256"; sign: string }

/** The seed's "transaction" object as nativePay takes it. */
export interface NativePayRequest {
  seller_code: string;
  out_trade_no: string;
  body: string;
  /** The exact decimal string ("10.50"), so the signed text and the decoded value agree. */
  total_amount: string;
  currency: Currency;
  service_code: string;
  /** Seconds until the order expires (default 1800 at KESS). */
  expires_in: number;
  notify_url?: string;
}
export interface OrderRequest { out_trade_no: string }
export interface RefundRequest {
  out_trade_no: string;
  reason: string;
  partial_refund_amount?: string;
  partial_refund_amount_ccy?: Currency;
}

/** An integer PHP may send as a number or as a digit string (the token answer's `expires_in` is "1800"). */
const integer = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const idText = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);
const amount = z.union([z.number().nonnegative(), z.string().min(1)]);

export const tokenAnswer = z.object({
  token_type: z.string().optional(),
  expires_in: integer.pipe(z.number().int().positive()),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
});

/** `{"success": true, "data": {...}, "sign": ..., "sign_type": ...}`. */
export const gatewayAnswer = z.object({
  success: z.union([z.boolean(), z.literal(1), z.literal(0)]),
  data: z.unknown().optional(),
  sign: z.string().optional(),
  sign_type: z.string().optional(),
});

const refundHistory = z.object({
  amount,
  currency: z.string(),
  status: z.string(),
  reason: z.string().nullish(),
  transaction_id: idText.nullish(),
  rejected_reason: z.string().nullish(),
  out_trade_no: idText.nullish(),
  merchant_reference: z.string().nullish(),
});
export type RefundHistory = z.infer<typeof refundHistory>;

/** The seed's `order_info`; only the fields this program reads. */
export const orderInfo = z.object({
  token: z.string().min(1),
  out_trade_no: idText,
  /** "" is read as absent, like null. */
  transaction_id: z.union([idText, z.literal("")]).nullish(),
  total_amount: amount,
  currency: z.string(),
  status: z.string(),
  paid_at: z.string().nullish(),
  expired_at: z.string().nullish(),
  payment_detail: z.unknown().optional(),
  bank_info: z.unknown().optional(),
  refund_histories: z.array(refundHistory).nullish(),
});
export type OrderInfo = z.infer<typeof orderInfo>;

export const nativePayData = z.object({
  qrcode: z.string().nullish(),
  qrcode_link: z.string().nullish(),
  deeplink: z.string().nullish(),
  expires_in: integer.optional(),
  service_code: z.string().nullish(),
  order_info: orderInfo,
});

export const refundData = refundHistory;

/** The documented error codes by HTTP status, and what each means for an admin. */
export const GATEWAY_ERRORS: Readonly<Record<string, { status: number; kind: "rejected" | "unavailable"; message: string }>> = {
  VALIDATION_ERROR: { status: 400, kind: "rejected", message: "KESS: the gateway refused the request as invalid" },
  UNAUTHENTICATED: {
    status: 401, kind: "rejected",
    message: "KESS: not authenticated even after a fresh login (check KESS_CLIENT_ID, KESS_CLIENT_SECRET, KESS_USERNAME, KESS_PASSWORD)",
  },
  FORBIDDEN: { status: 403, kind: "rejected", message: "KESS: access denied (check KESS_SELLER_CODE and that this service is enabled for the merchant)" },
  NOT_FOUND: { status: 404, kind: "rejected", message: "KESS: order not found" },
  DUPLICATED: { status: 409, kind: "rejected", message: "KESS: an order with this reference already exists" },
  EXPIRED: { status: 419, kind: "rejected", message: "KESS: the order has expired" },
  PROCESS_FAILED: { status: 422, kind: "rejected", message: "KESS: the gateway could not complete the request" },
  SYSTEM_ERROR: { status: 500, kind: "unavailable", message: "KESS: internal server error" },
  FEATURE_UNDER_MAINTENANCE: { status: 503, kind: "unavailable", message: "KESS: this feature is under maintenance" },
  GATEWAY_TIMEOUT: { status: 504, kind: "unavailable", message: "KESS: gateway time-out" },
};

const CODE_BY_STATUS = new Map(Object.entries(GATEWAY_ERRORS).map(([code, e]) => [e.status, code]));

/**
 * Classifies a gateway answer that is not a success: documented code → readable message, 5xx → unavailable.
 * The seed documents only codes and statuses, so the body is read leniently.
 */
export function gatewayError(answer: ProviderAnswer): ProviderError {
  if (answer.status === 429) return rateLimited("kess", "KESS", answer, Date.now());
  const body = errorBody(answer.text);
  const code = body.code !== undefined && body.code in GATEWAY_ERRORS ? body.code : CODE_BY_STATUS.get(answer.status) ?? body.code;
  const known = code === undefined ? undefined : GATEWAY_ERRORS[code];
  const detail = body.message ? `: ${body.message}` : "";
  const hint = /sign/i.test(body.message ?? "") ? " (check KESS_API_SECRET and KESS_SIGN_TYPE)" : "";
  if (known) return new ProviderError("kess", known.kind, `${known.message}${detail}${hint}`, { code });
  const kind = answer.status >= 500 ? "unavailable" : answer.status >= 400 || body.refused ? "rejected" : "invalid_response";
  return new ProviderError("kess", kind, `KESS: HTTP ${answer.status}${detail}${kind === "invalid_response" ? ` ${answer.text.slice(0, 500)}` : ""}`, {
    code: code ?? answer.status,
  });
}

/** The token endpoint's refusals (OAuth style `{"error": "invalid_grant", ...}`); 429 and 5xx are the transport's. */
export function tokenError(answer: ProviderAnswer, grant: "password" | "refresh_token"): ProviderError {
  const body = errorBody(answer.text);
  const what = grant === "password"
    ? "KESS: login refused (check KESS_CLIENT_ID, KESS_CLIENT_SECRET, KESS_USERNAME and KESS_PASSWORD)"
    : "KESS: refresh token refused";
  return new ProviderError("kess", "rejected", `${what}${body.message ? `: ${body.message}` : ""}`, { code: body.code ?? answer.status });
}

/** `code` from `code` | `error_code` | `error` (string or `{code, message}`); `message` likewise; Laravel `errors` joined. */
function errorBody(text: string): { code?: string; message?: string; refused?: boolean } {
  const read = readJson(text, z.record(z.string(), z.unknown()));
  if (!read.ok) return {};
  const o = read.value;
  const nested = typeof o.error === "object" && o.error !== null ? (o.error as Record<string, unknown>) : {};
  const str = (...vs: unknown[]) => vs.find((v): v is string => typeof v === "string" && v.trim() !== "")?.trim();
  const code = str(o.code, o.error_code, typeof o.error === "string" ? o.error : undefined, nested.code);
  let message = str(o.message, o.msg, o.error_description, nested.message);
  if (typeof o.errors === "object" && o.errors !== null) {
    const details = Object.values(o.errors).flat().filter((v): v is string => typeof v === "string");
    if (details.length > 0) message = [message, ...details].filter(Boolean).join(" ");
  }
  return { code, message: message?.slice(0, 300), refused: o.success === false || o.success === 0 };
}

/** What a documented order status means for a top-up. */
export type OrderStatusClass = "paid" | "pending" | "closed" | "refunded";

/** Every status the seed documents (plus the brief's PENDING / EXPIRED / FAILED spellings). */
export const ORDER_STATUSES: Readonly<Record<string, OrderStatusClass | "failed">> = {
  WAITING: "pending",
  PENDING: "pending",
  SUCCESS: "paid",
  CLOSED: "closed",
  EXPIRED: "closed",
  FAILED: "failed",
  REFUNDED: "refunded",
  PENDING_REFUNDED: "refunded",
  PARTIAL_REFUNDED: "refunded",
  PENDING_PARTIAL_REFUND: "refunded",
};

/** The seed prints statuses as "WAITING ", so spacing and case are normalised. */
export function orderStatusClass(status: string): OrderStatusClass | "failed" | undefined {
  return ORDER_STATUSES[status.trim().toUpperCase()];
}

/** "USD" | "KHR", whatever the case KESS uses; undefined for any other currency. */
export function kessCurrency(value: string): Currency | undefined {
  const c = value.trim().toUpperCase();
  return c === "USD" || c === "KHR" ? c : undefined;
}

/**
 * One queryOrder answer as a StatusResult. A SUCCESS order is a payment; its key is the gateway's
 * transaction id, or `order:<out_trade_no>` when it carries none (one KESS order is paid once).
 */
export function orderStatusResult(order: OrderInfo, topUp: Pick<TopUpRef, "reference" | "currency">, raw: unknown): StatusResult {
  const reference = topUp.reference;
  if (String(order.out_trade_no) !== reference) {
    throw invalid(`queryOrder answered for order ${String(order.out_trade_no)}, not ${reference}`, raw);
  }
  const cls = orderStatusClass(order.status);
  switch (cls) {
    case "pending":
      return { state: "pending" };
    case "closed":
      return { state: "expired" };
    case "failed":
      return { state: "failed", reason: `KESS: the payment failed (${order.status.trim()})` };
    case "refunded":
      return { state: "failed", reason: refundedReason(order) };
    case "paid":
      return { state: "paid", observations: [paidObservation(order, topUp, raw)] };
    default:
      throw invalid(`unknown order status ${JSON.stringify(order.status)}`, raw);
  }
}

/** A SUCCESS order is always an observation; an amount or currency that does not read exactly holds it. */
function paidObservation(order: OrderInfo, topUp: Pick<TopUpRef, "reference" | "currency">, raw: unknown): PaymentObservation {
  const currency = kessCurrency(order.currency);
  const exact = currency ? minorFromDecimal(order.total_amount, currency) : null;
  const holdReason = !currency
    ? `KESS reports the payment in ${JSON.stringify(order.currency)}, which is neither USD nor KHR (${saidAmount(order.total_amount)})`
    : exact === null
      ? `KESS reports ${saidAmount(order.total_amount)}, which is not an exact ${currency} amount`
      : undefined;
  const payer = maskedPayer(order);
  return {
    provider: "kess",
    providerTxnId: order.transaction_id ? String(order.transaction_id) : orderPaymentKey(topUp.reference),
    reference: topUp.reference,
    amountMinor: exact ?? (currency ? heldAmountMinor(order.total_amount, currency) : 0),
    currency: currency ?? topUp.currency,
    ...(payer ? { payer } : {}),
    ...(holdReason ? { holdReason } : {}),
    raw,
  };
}

function refundedReason(order: OrderInfo): string {
  const status = order.status.trim().toUpperCase();
  const refunds = (order.refund_histories ?? [])
    .map((r) => {
      const currency = kessCurrency(r.currency);
      const minor = currency ? minorFromDecimal(r.amount, currency) : null;
      return minor !== null && currency ? `${decimalString(minor, currency)} ${currency}` : `${String(r.amount)} ${r.currency}`;
    })
    .join(", ");
  const what = status.includes("PARTIAL") ? "partially refunded" : "refunded";
  const pending = status.startsWith("PENDING") ? " (refund pending at the bank)" : "";
  return `KESS: the payment was ${what} to the payer${pending}${refunds ? `: ${refunds}` : ""}`;
}

/** Last three digits of the payer's account, or the holder's initial; never the full value. */
function maskedPayer(order: OrderInfo): string | undefined {
  const detail = record(order.payment_detail);
  const bank = record(order.bank_info) ?? record(detail?.bank_info);
  const account = bank?.account_number;
  if (typeof account === "string" && account.trim().length >= 4) return `***${account.trim().slice(-3)}`;
  const name = detail?.holder_name ?? bank?.account_name;
  if (typeof name === "string" && name.trim() !== "") return `${name.trim()[0]}***`;
  return undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Our order reference in a notify body: the seed does not document it, so the usual places are tried. */
export function notifyReference(payload: Readonly<Record<string, unknown>>): string | undefined {
  const data = record(payload.data);
  const candidates = [payload.out_trade_no, data?.out_trade_no, record(data?.order_info)?.out_trade_no, record(payload.order_info)?.out_trade_no];
  for (const c of candidates) {
    const text = typeof c === "number" && Number.isSafeInteger(c) ? String(c) : c;
    if (typeof text === "string" && OUT_TRADE_NO.test(text)) return text;
  }
  return undefined;
}

/** A refusal that means "this payment method cannot be refunded" rather than a failure. */
export function isRefundUnsupported(message: string): boolean {
  return /not\s+(be\s+)?supported|\bnot\s+support\b|unsupported|not available for/i.test(message);
}

export function invalid(what: string, raw: unknown): ProviderError {
  const text = typeof raw === "string" ? raw : JSON.stringify(raw);
  return new ProviderError("kess", "invalid_response", `KESS: unexpected answer, ${what}: ${String(text).slice(0, 1000)}`, { cause: raw });
}
