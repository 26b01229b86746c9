import type { KessConfig } from "../../../config/config.js";
import type { Logger } from "../../../logger.js";
import { decodeKhqr, khqrMd5 } from "../../../khqr/index.js";
import { decimalString, minorFromDecimal } from "../../../money/money.js";
import { readJson } from "../../provider-transport.js";
import {
  ProviderError,
  type CreatedPayment,
  type PaymentProvider,
  type RefundResult,
  type StatusResult,
  type TopUpRef,
  type WebhookRequest,
  type WebhookResult,
} from "../../provider.js";
import {
  GATEWAY_PATH,
  OUT_TRADE_NO,
  REFUNDABLE_SERVICE_CODES,
  SERVICE,
  gatewayAnswer,
  gatewayError,
  invalid,
  isRefundUnsupported,
  kessCurrency,
  nativePayData,
  notifyReference,
  orderInfo,
  orderStatusClass,
  orderStatusResult,
  refundData,
  type KessService,
  type OrderInfo,
  type NativePayRequest,
  type OrderRequest,
  type RefundRequest,
} from "./kess-api.js";
import { createKessTokenCache, kessTransport } from "./kess-auth.js";
import { notifyFormatProblem } from "./kess-notify.js";
import { createQueryGate } from "./kess-query-gate.js";
import { isKessSignType, makeSign, verifySign } from "./kess-signing.js";
import { reject } from "../webhook-input.js";

export interface KessDeps {
  log: Logger;
  now?: () => number;
  /** Our public notify endpoint (…/webhooks/kess), sent as `notify_url`; otherwise KESS uses the merchant's default. */
  notifyUrl?: string;
  /** Per-call deadline; default 15 s. */
  timeoutMs?: number;
  /** Once an order's few back-to-back queryOrder calls are spent, at most one per this interval; default 1 s. */
  queryIntervalMs?: number;
}

const POLL_CONCURRENCY = 4;
/** Services that create or change an order: an answer lost on the way may mean it was done. */
const WRITES: ReadonlySet<KessService> = new Set([SERVICE.nativePay, SERVICE.closeOrder, SERVICE.refund]);
/** queryOrder calls for one order that may follow each other at once (a check, the payment, its notification). */
const QUERY_BURST = 3;
/** Orders whose last queryOrder is remembered; the least recently asked are forgotten first. */
const QUERY_GATE_KEYS = 10_000;

export function createKessProvider(config: KessConfig, deps: KessDeps): PaymentProvider {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const transport = kessTransport(config, { log, now, timeoutMs: deps.timeoutMs });
  const tokens = createKessTokenCache({ config, log, now, timeoutMs: deps.timeoutMs });
  // Notifications are only hints and anyone may send them: they must not become one gateway call each.
  const queries = createQueryGate<StatusResult>({ minIntervalMs: deps.queryIntervalMs ?? 1000, burst: QUERY_BURST, maxKeys: QUERY_GATE_KEYS, clock: now });

  /** One signed gateway call; a 401 costs one fresh login and one retry (KESS applied nothing). */
  async function call(service: KessService, params: NativePayRequest | OrderRequest | RefundRequest): Promise<{ data: unknown; raw: unknown }> {
    const fields: Record<string, unknown> = { service, sign_type: config.signType, ...params };
    const body = JSON.stringify({ ...fields, sign: makeSign(fields, config.apiSecret) });
    for (let attempt = 1; ; attempt++) {
      const token = await tokens.token();
      const res = await transport.call(`${config.baseUrl}${GATEWAY_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
        body,
      }, { name: service, write: WRITES.has(service), serverError: gatewayError });
      if (res.status === 401 && attempt === 1) {
        log.info({ service }, "KESS answered 401; logging in again");
        tokens.invalidate(token);
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw gatewayError(res);
      const answer = readJson(res.text, gatewayAnswer);
      if (!answer.ok) {
        throw answer.json === undefined ? invalid(`${service} answered with something that is not JSON`, res.text) : invalid(`${service} answered without "success"`, answer.json);
      }
      if (answer.value.success !== true && answer.value.success !== 1) throw gatewayError(res);
      return { data: answer.value.data, raw: answer.json };
    }
  }

  async function create(topUp: TopUpRef): Promise<CreatedPayment> {
    checkReference(topUp.reference);
    const expiresIn = Math.ceil((topUp.expiresAt.getTime() - now()) / 1000);
    if (expiresIn < 1) throw new ProviderError("kess", "rejected", `KESS: top-up ${topUp.reference} has already expired`);
    const amount = decimalString(topUp.amountMinor, topUp.currency);
    const { data, raw } = await call(SERVICE.nativePay, {
      seller_code: config.sellerCode,
      out_trade_no: topUp.reference,
      body: `Top-up ${topUp.panelLogin}`.slice(0, 255),
      total_amount: amount,
      currency: topUp.currency,
      service_code: config.serviceCode,
      expires_in: expiresIn,
      ...(deps.notifyUrl ? { notify_url: deps.notifyUrl } : {}),
    });
    const parsed = nativePayData.safeParse(data);
    if (!parsed.success) throw invalid("nativePay data is not the documented shape", raw);
    const { qrcode, qrcode_link: link, deeplink, order_info: order } = parsed.data;
    if (String(order.out_trade_no) !== topUp.reference) throw invalid(`nativePay answered for order ${String(order.out_trade_no)}`, raw);
    if (kessCurrency(order.currency) !== topUp.currency || minorFromDecimal(order.total_amount, topUp.currency) !== topUp.amountMinor) {
      throw invalid(`nativePay created an order of ${String(order.total_amount)} ${order.currency}, not ${amount} ${topUp.currency}`, raw);
    }
    const qr = qrcode?.trim() || undefined;
    if (qr) checkQrAmount(qr, topUp, raw);
    const checkoutUrl = qr ? undefined : link?.trim() || undefined;
    if (!qr && !checkoutUrl) throw invalid("nativePay returned neither qrcode nor qrcode_link", raw);
    return {
      ...(qr ? { qr, md5: khqrMd5(qr) } : {}),
      ...(checkoutUrl ? { checkoutUrl } : {}),
      providerRef: order.token,
      expiresAt: gatewayExpiry(order.expired_at, parsed.data.expires_in),
      ...(deeplink?.trim() ? { deepLink: deeplink.trim() } : {}),
    };
  }

  function gatewayExpiry(expiredAt: string | null | undefined, expiresIn: number | undefined): Date | undefined {
    const at = expiredAt ? Date.parse(expiredAt) : Number.NaN;
    if (!Number.isNaN(at)) return new Date(at);
    return expiresIn === undefined ? undefined : new Date(now() + expiresIn * 1000);
  }

  async function fetchOrder(reference: string): Promise<{ order: OrderInfo; raw: unknown }> {
    const answer = await call(SERVICE.queryOrder, { out_trade_no: reference });
    const order = orderInfo.safeParse(answer.data);
    if (!order.success) throw invalid("queryOrder data is not the documented order_info", answer.raw);
    return { order: order.data, raw: answer.raw };
  }

  async function queryOne(topUp: TopUpRef): Promise<StatusResult> {
    let found;
    try {
      found = await fetchOrder(topUp.reference);
    } catch (err) {
      // Unknown to KESS means no QR was ever issued for it, so nobody can have paid it.
      if (err instanceof ProviderError && err.opts.code === "NOT_FOUND") {
        return now() >= topUp.expiresAt.getTime() ? { state: "expired" } : { state: "pending" };
      }
      if (err instanceof ProviderError && err.opts.code === "EXPIRED") return { state: "expired" };
      throw err;
    }
    return orderStatusResult(found.order, topUp, found.raw);
  }

  async function checkStatus(topUps: readonly TopUpRef[]): Promise<StatusResult[]> {
    const results: StatusResult[] = new Array(topUps.length);
    let next = 0;
    const worker = async () => {
      while (next < topUps.length) {
        const i = next++;
        const topUp = topUps[i]!;
        results[i] = await queries.run(topUp.reference, () => queryOne(topUp));
      }
    };
    await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, topUps.length) }, worker));
    return results;
  }

  function alreadyPaid(reference: string): ProviderError {
    return new ProviderError("kess", "rejected", `KESS: order ${reference} is already paid, so it was not closed; check its status`, {
      code: "ALREADY_PAID",
    });
  }

  async function cancel(topUp: TopUpRef): Promise<void> {
    checkReference(topUp.reference);
    let answer;
    try {
      answer = await call(SERVICE.closeOrder, { out_trade_no: topUp.reference });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.opts.code === "NOT_FOUND" || err.opts.code === "EXPIRED") return;
      if (err.kind !== "rejected") throw err;
      // KESS does not document why a close is refused; the order's own status tells whether it was paid.
      const { order } = await fetchOrder(topUp.reference);
      const cls = orderStatusClass(order.status);
      if (cls === "paid" || cls === "refunded") throw alreadyPaid(topUp.reference);
      if (cls === "closed" || cls === "failed") return;
      throw err;
    }
    const order = orderInfo.safeParse(answer.data);
    if (!order.success) throw invalid("closeorder data is not the documented order_info", answer.raw);
    const cls = orderStatusClass(order.data.status);
    if (cls === "closed" || cls === "failed") return;
    if (cls === "paid" || cls === "refunded") throw alreadyPaid(topUp.reference);
    throw invalid(`closeorder left the order ${JSON.stringify(order.data.status)}`, answer.raw);
  }

  async function refund(topUp: TopUpRef, _providerTxnId: string, amountMinor: number, reason: string): Promise<RefundResult> {
    if (!REFUNDABLE_SERVICE_CODES.includes(config.serviceCode)) {
      return {
        status: "unsupported",
        message: `KESS refunds only Visa/Mastercard, Wing Bank, ACLEDA, WeChat Pay and Alipay payments; this payment was made with ${config.serviceCode}, so refund it by bank transfer`,
      };
    }
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0 || amountMinor > topUp.amountMinor) {
      return { status: "failed", message: `KESS: cannot refund ${amountMinor} minor units of a ${topUp.amountMinor} order` };
    }
    const partial = amountMinor < topUp.amountMinor;
    let answer;
    try {
      answer = await call(SERVICE.refund, {
        out_trade_no: topUp.reference,
        reason: reason.trim().slice(0, 255) || "Refund",
        ...(partial ? { partial_refund_amount: decimalString(amountMinor, topUp.currency), partial_refund_amount_ccy: topUp.currency } : {}),
      });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.kind === "rejected" && isRefundUnsupported(err.message)) return { status: "unsupported", message: err.message };
      const check = err.kind === "rejected" ? "" : "; check the KESS dashboard before trying again";
      return { status: "failed", message: `${err.message}${check}` };
    }
    const parsed = refundData.safeParse(answer.data);
    if (!parsed.success) {
      return { status: "failed", message: `KESS: unexpected refund answer; check the KESS dashboard before trying again: ${JSON.stringify(answer.raw).slice(0, 500)}` };
    }
    const r = parsed.data;
    if (r.rejected_reason) return { status: "failed", message: `KESS refused the refund: ${r.rejected_reason}` };
    if (orderStatusClass(r.status) !== "refunded") {
      return { status: "failed", message: `KESS: refund answered with status ${r.status}; check the KESS dashboard before trying again` };
    }
    // PENDING_* refunds are accepted and finish at the bank within days; repeating them would pay twice.
    if (r.status.trim().toUpperCase().startsWith("PENDING")) log.info({ reference: topUp.reference, status: r.status }, "KESS refund accepted, pending at the bank");
    return { status: "refunded", ...(r.transaction_id ? { providerRef: String(r.transaction_id) } : {}) };
  }

  async function verifyWebhook(req: WebhookRequest): Promise<WebhookResult> {
    const payload = parseNotify(req);
    if ("rejected" in payload) return payload.rejected;
    const fields = payload.fields;
    if (fields.sign !== undefined && fields.sign !== null && fields.sign !== "") {
      const signed = { ...fields, sign_type: fields.sign_type ?? config.signType };
      if (!isKessSignType(signed.sign_type)) return reject(403, "unsupported sign_type");
      // makeSign joins k=v pairs with & and no escaping: a value is only trusted in its exact format.
      const problem = notifyFormatProblem(signed);
      if (problem) return reject(400, problem);
      if (!verifySign(signed, config.apiSecret)) return reject(403, "bad sign");
    }
    const reference = notifyReference(fields);
    if (!reference) return reject(400, "no out_trade_no in the notification");
    // Unsigned or not, a notification only says "look at this order": queryOrder decides.
    return { kind: "signal", reference };
  }

  return {
    name: "kess",
    capabilities: { presentation: "qr", statusApi: true, webhook: true, signedWebhook: false, pollConcurrency: POLL_CONCURRENCY, pollBatch: 1 },
    create,
    checkStatus,
    verifyWebhook,
    cancel,
    refund,
  };
}

function checkReference(reference: string): void {
  if (!OUT_TRADE_NO.test(reference)) {
    throw new ProviderError("kess", "rejected", `KESS: reference ${JSON.stringify(reference)} is not 1-32 letters, digits or dashes`);
  }
}

/** A KHQR that KESS built for another amount or currency must never reach a customer. */
function checkQrAmount(qr: string, topUp: TopUpRef, raw: unknown): void {
  const decoded = decodeKhqr(qr);
  if (!decoded.ok) return; // KESS-wallet codes (service KESSKH) need not be KHQR; the order's amount was checked.
  const { amountMinor, currency } = decoded.value;
  if ((amountMinor !== undefined && amountMinor !== topUp.amountMinor) || (currency !== undefined && currency !== topUp.currency)) {
    throw invalid(`the QR asks for ${amountMinor ?? "?"} ${currency ?? "?"} minor units, not ${topUp.amountMinor} ${topUp.currency}`, raw);
  }
}

/** JSON or form, by content type (sniffed when absent); an object of fields or a rejection. */
function parseNotify(req: WebhookRequest): { fields: Record<string, unknown> } | { rejected: WebhookResult } {
  const text = req.rawBody.toString("utf8").trim();
  if (text === "") return { rejected: reject(400, "empty body") };
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const json = type === "application/json" || type.endsWith("+json") || (type === "" && text.startsWith("{"));
  const form = type === "application/x-www-form-urlencoded" || (type === "" && !json);
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { rejected: reject(400, "malformed JSON") };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { rejected: reject(400, "the body is not a JSON object") };
    }
    return { fields: parsed as Record<string, unknown> };
  }
  if (form) return { fields: Object.fromEntries(new URLSearchParams(text)) };
  return { rejected: reject(415, "unsupported content type") };
}
