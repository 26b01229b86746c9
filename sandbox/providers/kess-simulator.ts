import { randomBytes, randomInt } from "node:crypto";
import { Hono, type Context } from "hono";
import type { KessConfig } from "../../src/config/config.js";
import { decodeKhqr, encodeKhqr, type KhqrAccount } from "../../src/khqr/index.js";
import { decimalString, minorFromDecimal, type Currency } from "../../src/money/money.js";
import { noApiFaults, noWebhookFaults, sleep, takeApiFault } from "../faults.js";
import type { PayableOrder, ProviderSimulator } from "../provider-simulator.js";
import { serveApp } from "../serve.js";
import { deliverWebhook } from "./webhook-sender.js";
import { isKessSignType, kessSign, kessSignMatches, type KessSignType } from "./kess-sign.js";

/** KESS Pay's OAuth endpoint and merchant gateway (seed 002), in memory. */

const TOKEN_PATH = "/oauth/token";
const GATEWAY_PATH = "/api/mch/v2/gateway";
const SERVICE = {
  nativePay: "webpay.acquire.nativePay",
  queryOrder: "webpay.acquire.queryOrder",
  closeOrder: "webpay.acquire.closeorder",
  refund: "webpay.acquire.v2Refund",
} as const;
/** nativePay's service_code values, as the seed lists them. */
const SERVICE_CODES = [
  "ABAAKHPP", "ACLBKHPP", "ALIPAY", "KHQR", "BIOBKHPP", "CADIKHPP", "CHNOKHPP", "EMONEY", "FTCCKHPP", "GOOGLEPAY",
  "HATHKHPP", "KESSKH", "KESSKHQR", "PPCBKHPP", "SBPLKHPP", "TRUEMONEY", "UPAY", "UNIONPAY", "VBLCKHPP", "VISA_MASTER",
  "WECHAT", "WING",
];
/** "Available for VISA_MASTER, Wing Bank, ACLEDA Bank, WeChat and Alipay only." */
const REFUNDABLE_SERVICE_CODES = ["VISA_MASTER", "WING", "ACLBKHPP", "WECHAT", "ALIPAY"];
/** String(32), "Alphanumeric or with dash". */
const OUT_TRADE_NO = /^[A-Za-z0-9-]{1,32}$/;
/** "The refresh_token will expire after access_token expired 15 minutes." */
const REFRESH_TOKEN_GRACE_MS = 15 * 60_000;
const LINK_ORIGIN = "https://kess-deeplink.sandbox.invalid";

/**
 * nativePay's `deeplink`: an https link naming the order (on a host that never resolves: only the
 * sandbox page opens it, as its bank pane), a bank-app scheme link (which a Telegram button cannot
 * open), or null as in the seed's example.
 */
export type KessDeeplinkMode = "link" | "app" | "none";

/** A bank-app payment; `withoutTransactionId` makes KESS report it SUCCESS with `transaction_id: null`. */
export type KessPayment = PayableOrder & { withoutTransactionId?: boolean };

export interface KessSimulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  sellerCode?: string;
  apiSecret?: string;
  /** The access token lifetime granted and enforced (the seed's default: 1800 s). */
  tokenTtlSeconds?: number;
  /** nativePay answers with a KHQR string (`qrcode`) or only a link to one (`qrcode_link`). */
  qrMode?: "qrcode" | "qrcode_link";
  /** false: every refund is "not supported for this payment method". */
  refundsSupported?: boolean;
  /** sign_type of the notifications (the merchant's setting at KESS). */
  notifySignType?: KessSignType;
  merchantName?: string;
  merchantCity?: string;
  /** How long an apiFaults "timeout" holds a request open. */
  timeoutHoldMs?: number;
}

type OrderStatus = "WAITING" | "SUCCESS" | "CLOSED" | "REFUNDED" | "PARTIAL_REFUNDED" | "PENDING_REFUNDED" | "PENDING_PARTIAL_REFUND";

interface RefundEntry {
  amount: number; currency: Currency; status: OrderStatus; reason: string; transaction_id: string;
  rejected_reason: null; out_trade_no: string; merchant_reference: string | null;
}

export interface SimulatedKessOrder {
  token: string;
  outTradeNo: string;
  body: string;
  amountMinor: number;
  currency: Currency;
  serviceCode: string;
  notifyUrl?: string;
  status: OrderStatus;
  transactionId: string | null;
  paidAt: number | null;
  /** What the payer actually paid, when it differs from the order (under/over-payment tests). */
  paid?: { amountMinor: number; currency: Currency };
  createdAt: number;
  expiresAt: number;
  qrcode: string;
  refunds: RefundEntry[];
  refundedMinor: number;
}

export interface KessSimulator extends ProviderSimulator {
  pay(order: KessPayment): Promise<{ providerTxnId: string }>;
  /** A KessConfig pointing at this simulator with its credentials. */
  config(overrides?: Partial<KessConfig>): KessConfig;
  readonly stats: { passwordGrants: number; refreshGrants: number; unauthorized: number; calls: Record<string, number>; notifications: number };
  /** Every issued access token stops working (the next gateway call answers 401). */
  revokeTokens(): void;
  setRefundsSupported(supported: boolean): void;
  setQrMode(mode: "qrcode" | "qrcode_link"): void;
  order(reference: string): SimulatedKessOrder | undefined;
  /** Forces an order into any documented status (status-mapping tests). */
  setOrderStatus(reference: string, status: OrderStatus, transactionId?: string | null): void;
  deeplinkMode: KessDeeplinkMode;
}

const DEFAULTS = {
  clientId: "sandbox-client", clientSecret: "sandbox-client-secret", username: "sandbox@kess.test", password: "sandbox-password",
  sellerCode: "CU2501-101139033689723677", apiSecret: "sandbox-api-secret",
};

export async function startKessSimulator(opts: KessSimulatorOptions = {}): Promise<KessSimulator> {
  const creds = { ...DEFAULTS, ...definedOnly(opts) };
  const tokenTtlMs = (opts.tokenTtlSeconds ?? 1800) * 1000;
  let qrMode = opts.qrMode ?? "qrcode";
  let refundsSupported = opts.refundsSupported ?? true;
  const apiFaults = noApiFaults();
  const webhookFaults = noWebhookFaults();
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Map<string, number>();
  const orders = new Map<string, SimulatedKessOrder>();
  const stats = { passwordGrants: 0, refreshGrants: 0, unauthorized: 0, calls: {} as Record<string, number>, notifications: 0 };
  let webhookUrl: string | undefined;
  let baseUrl = "";
  let deeplinkMode: KessDeeplinkMode = "link";
  const closing = new AbortController();

  // Built by hand: Hono's status type has no 419, which KESS uses for EXPIRED.
  const fail = (status: 400 | 401 | 403 | 404 | 409 | 419 | 422 | 500 | 503 | 504, code: string, message: string) =>
    new Response(JSON.stringify({ success: false, code, message }), { status, headers: { "content-type": "application/json" } });

  /** Answers with the active fault, if any; undefined means carry on. */
  async function fault(c: Context): Promise<Response | undefined> {
    if (apiFaults.delayMs > 0) await sleep(apiFaults.delayMs);
    switch (takeApiFault(apiFaults)) {
      case "http500":
        return fail(500, "SYSTEM_ERROR", "Internal server error.");
      case "http429":
        c.header("Retry-After", "2");
        return c.json({ success: false, code: "TOO_MANY_REQUESTS", message: "Too Many Attempts." }, 429);
      case "timeout":
        await Promise.race([sleep(opts.timeoutHoldMs ?? 30_000), new Promise((r) => closing.signal.addEventListener("abort", r))]);
        return fail(504, "GATEWAY_TIMEOUT", "Gateway time-out.");
      default:
        return undefined;
    }
  }

  function issueTokens() {
    const access = randomBytes(24).toString("base64url");
    const refresh = randomBytes(24).toString("base64url");
    const expiresAt = Date.now() + tokenTtlMs;
    accessTokens.set(access, expiresAt);
    refreshTokens.set(refresh, expiresAt + REFRESH_TOKEN_GRACE_MS);
    // As in the seed's example, expires_in is a digit string.
    return { token_type: "Bearer", expires_in: String(tokenTtlMs / 1000), access_token: access, refresh_token: refresh };
  }

  const app = new Hono();

  app.post(TOKEN_PATH, async (c) => {
    const faulted = await fault(c);
    if (faulted) return faulted;
    const body = await jsonObject(c);
    if (!body) return c.json({ error: "invalid_request", message: "The request body must be JSON." }, 400);
    if (body.client_id !== creds.clientId || body.client_secret !== creds.clientSecret) {
      return c.json({ error: "invalid_client", message: "Client authentication failed" }, 401);
    }
    if (body.grant_type === "password") {
      if (body.username !== creds.username || body.password !== creds.password) {
        return c.json({ error: "invalid_grant", message: "The user credentials were incorrect." }, 400);
      }
      stats.passwordGrants++;
      return c.json(issueTokens());
    }
    if (body.grant_type === "refresh_token") {
      const expiresAt = typeof body.refresh_token === "string" ? refreshTokens.get(body.refresh_token) : undefined;
      if (expiresAt === undefined || expiresAt <= Date.now()) {
        return c.json({ error: "invalid_grant", message: "The refresh token is invalid." }, 400);
      }
      refreshTokens.delete(body.refresh_token as string);
      stats.refreshGrants++;
      return c.json(issueTokens());
    }
    return c.json({ error: "unsupported_grant_type", message: "The authorization grant type is not supported." }, 400);
  });

  app.post(GATEWAY_PATH, async (c) => {
    const faulted = await fault(c);
    if (faulted) return faulted;
    const bearer = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const expiresAt = bearer === undefined ? undefined : accessTokens.get(bearer);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      stats.unauthorized++;
      return fail(401, "UNAUTHENTICATED", "Unauthenticated.");
    }
    const body = await jsonObject(c);
    if (!body) return fail(400, "VALIDATION_ERROR", "The request body must be a JSON object.");
    if (!isKessSignType(body.sign_type)) return fail(400, "VALIDATION_ERROR", "The selected sign type is invalid.");
    if (!kessSignMatches(body, creds.apiSecret)) return fail(400, "VALIDATION_ERROR", "Invalid signature.");
    const service = String(body.service);
    stats.calls[service] = (stats.calls[service] ?? 0) + 1;
    const ok = (data: unknown) => {
      const answer = { success: true, data, sign_type: body.sign_type };
      return c.json({ ...answer, sign: kessSign(answer, creds.apiSecret) });
    };
    switch (service) {
      case SERVICE.nativePay:
        return nativePay(body, ok);
      case SERVICE.queryOrder: {
        const order = findOrder(body.out_trade_no);
        return order ? ok(orderInfo(order)) : fail(404, "NOT_FOUND", "Record not found.");
      }
      case SERVICE.closeOrder:
        return closeOrder(body, ok);
      case SERVICE.refund:
        return refund(body, ok);
      default:
        return fail(400, "VALIDATION_ERROR", "The selected service is invalid.");
    }
  });

  app.get("/qr/:token", (c) => {
    const order = [...orders.values()].find((o) => o.token === c.req.param("token"));
    return order ? c.text(order.qrcode) : c.text("Not found", 404);
  });

  app.post("/_control/pay", async (c) => {
    const body = await jsonObject(c);
    if (!body || typeof body.reference !== "string") return c.json({ error: "reference required" }, 400);
    try {
      return c.json(await pay(body as unknown as KessPayment));
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 409);
    }
  });

  type Ok = (data: unknown) => Response;

  function nativePay(body: Record<string, unknown>, ok: Ok): Response {
    if (body.seller_code !== creds.sellerCode) return fail(403, "FORBIDDEN", "Access denied.");
    const reference = body.out_trade_no;
    if (typeof reference !== "string" || !OUT_TRADE_NO.test(reference)) return invalidField("out_trade_no");
    if (typeof body.body !== "string" || body.body === "" || body.body.length > 255) return invalidField("body");
    const currency = body.currency === "USD" || body.currency === "KHR" ? body.currency : undefined;
    if (!currency) return invalidField("currency");
    const amountMinor = typeof body.total_amount === "string" || typeof body.total_amount === "number"
      ? minorFromDecimal(body.total_amount, currency) : null;
    if (!amountMinor) return invalidField("total_amount");
    if (typeof body.service_code !== "string" || !(SERVICE_CODES as readonly string[]).includes(body.service_code)) return invalidField("service_code");
    const expiresIn = body.expires_in === undefined ? 1800 : Number(body.expires_in);
    if (!Number.isInteger(expiresIn) || expiresIn < 1) return invalidField("expires_in");
    if (body.notify_url !== undefined && typeof body.notify_url !== "string") return invalidField("notify_url");
    // "only_deeplink: Generate deeplink only. Ex: 1 or 0"; then is_ios_device must say the phone's OS.
    const onlyDeeplink = booleanFlag(body.only_deeplink);
    const forIos = booleanFlag(body.is_ios_device);
    if (onlyDeeplink === null) return invalidField("only_deeplink");
    if (forIos === null || (onlyDeeplink && forIos === undefined)) return invalidField("is_ios_device");
    if (orders.has(reference)) return fail(409, "DUPLICATED", "Existing record found.");

    const createdAt = Date.now();
    const token = randomBytes(12).toString("hex");
    const order: SimulatedKessOrder = {
      token, outTradeNo: reference, body: body.body, amountMinor, currency, serviceCode: body.service_code,
      ...(typeof body.notify_url === "string" ? { notifyUrl: body.notify_url } : {}),
      status: "WAITING", transactionId: null, paidAt: null, createdAt, expiresAt: createdAt + expiresIn * 1000,
      qrcode: "", refunds: [], refundedMinor: 0,
    };
    order.qrcode = encodeKhqr({
      account: qrAccount(body.service_code),
      merchantName: opts.merchantName ?? "KESS INNOVATION PLC",
      merchantCity: opts.merchantCity ?? "Phnom Penh",
      currency,
      amountMinor,
      billNumber: token,
      createdAt,
      expiresAt: order.expiresAt,
    });
    orders.set(reference, order);
    return ok({
      qrcode: !onlyDeeplink && qrMode === "qrcode" ? order.qrcode : null,
      qrcode_link: !onlyDeeplink && qrMode === "qrcode_link" ? `${baseUrl}/qr/${token}` : null,
      deeplink: onlyDeeplink ? webDeeplink(order) : deeplinkFor(order),
      for_ios: forIos ?? null,
      expires_in: expiresIn,
      brand_logo: null,
      app_name: "KESSCHAT",
      service_code: body.service_code,
      order_info: orderInfo(order),
    });
  }

  function deeplinkFor(order: SimulatedKessOrder): string | null {
    if (deeplinkMode === "none") return null;
    if (deeplinkMode === "app") return `kesschat://pay?token=${order.token}`;
    return webDeeplink(order);
  }

  function webDeeplink(order: SimulatedKessOrder): string {
    return `${LINK_ORIGIN}/${order.token}?reference=${encodeURIComponent(order.outTradeNo)}`;
  }

  function closeOrder(body: Record<string, unknown>, ok: Ok): Response {
    const order = findOrder(body.out_trade_no);
    if (!order) return fail(404, "NOT_FOUND", "Record not found.");
    if (order.status === "WAITING") order.status = "CLOSED";
    if (order.status !== "CLOSED") return fail(422, "PROCESS_FAILED", "The order has been paid and cannot be closed.");
    return ok(orderInfo(order));
  }

  function refund(body: Record<string, unknown>, ok: Ok): Response {
    if (typeof body.reason !== "string" || body.reason === "") return invalidField("reason");
    const order = findOrder(body.out_trade_no);
    if (!order) return fail(404, "NOT_FOUND", "Record not found.");
    if (!refundsSupported || !REFUNDABLE_SERVICE_CODES.includes(order.serviceCode)) {
      return fail(422, "PROCESS_FAILED", "Refund is not supported for this payment method.");
    }
    if (order.status !== "SUCCESS" && order.status !== "PARTIAL_REFUNDED") return fail(422, "PROCESS_FAILED", `The order has not been paid (status ${order.status}).`);
    const remaining = order.amountMinor - order.refundedMinor;
    let minor = remaining;
    if (body.partial_refund_amount !== undefined) {
      if (body.partial_refund_amount_ccy !== undefined && body.partial_refund_amount_ccy !== order.currency) return invalidField("partial_refund_amount_ccy");
      const partial = typeof body.partial_refund_amount === "string" || typeof body.partial_refund_amount === "number"
        ? minorFromDecimal(body.partial_refund_amount, order.currency) : null;
      if (!partial) return invalidField("partial_refund_amount");
      if (partial > remaining) return fail(422, "PROCESS_FAILED", "The refund amount exceeds the refundable amount.");
      minor = partial;
    }
    order.refundedMinor += minor;
    order.status = order.refundedMinor === order.amountMinor ? "REFUNDED" : "PARTIAL_REFUNDED";
    const entry: RefundEntry = {
      amount: Number(decimalString(minor, order.currency)),
      currency: order.currency,
      status: order.status,
      reason: body.reason,
      transaction_id: transactionId("RF"),
      rejected_reason: null,
      out_trade_no: order.outTradeNo,
      merchant_reference: typeof body.merchant_reference === "string" ? body.merchant_reference : null,
    };
    order.refunds.push(entry);
    return ok(entry);
  }

  function invalidField(field: string): Response {
    return fail(400, "VALIDATION_ERROR", `The ${field.replaceAll("_", " ")} field is invalid.`);
  }

  function findOrder(reference: unknown): SimulatedKessOrder | undefined {
    const order = typeof reference === "string" ? orders.get(reference) : undefined;
    if (order?.status === "WAITING" && Date.now() >= order.expiresAt) order.status = "CLOSED";
    return order;
  }

  function orderInfo(o: SimulatedKessOrder) {
    const paid = o.paid ?? { amountMinor: o.amountMinor, currency: o.currency };
    return {
      token: o.token,
      out_trade_no: o.outTradeNo,
      transaction_id: o.transactionId,
      body: o.body,
      total_amount: Number(decimalString(paid.amountMinor, paid.currency)),
      currency: paid.currency,
      status: o.status,
      paid_at: o.paidAt === null ? null : kessTime(o.paidAt),
      settled_at: null,
      settlement_date: null,
      expired_at: kessTime(o.expiresAt),
      created_at: kessTime(o.createdAt),
      detail: [],
      seller: { code: creds.sellerCode, display_name: opts.merchantName ?? "KESS INNOVATION PLC" },
      payment_detail: o.paidAt === null ? null : {
        method_desc: "KHQR payment",
        holder_name: "SOK DARA",
        bank_info: { senderBank: "ABA", account_name: "SOK DARA", account_number: "000123924" },
        created_at: kessTime(o.paidAt),
        payment_method_bic: o.serviceCode,
      },
      refund_histories: o.refunds,
      error_logs: [],
    };
  }

  async function pay(p: KessPayment): Promise<{ providerTxnId: string }> {
    let order = findOrder(p.reference);
    if (!order && p.qr) {
      const decoded = decodeKhqr(p.qr);
      const token = decoded.ok ? decoded.value.billNumber : undefined;
      order = [...orders.values()].find((o) => o.token === token);
      order = findOrder(order?.outTradeNo);
    }
    if (!order) throw new Error(`KESS simulator: no order ${p.reference}`);
    if (order.status !== "WAITING") throw new Error(`KESS simulator: order ${order.outTradeNo} is ${order.status}, it cannot be paid`);
    order.status = "SUCCESS";
    order.transactionId = p.withoutTransactionId ? null : transactionId("TR");
    order.paidAt = Date.now();
    if (p.amountMinor !== undefined || p.currency !== undefined) {
      order.paid = { amountMinor: p.amountMinor ?? order.amountMinor, currency: p.currency ?? order.currency };
    }
    await notify(order);
    return { providerTxnId: order.transactionId ?? `order:${order.outTradeNo}` };
  }

  async function notify(order: SimulatedKessOrder): Promise<void> {
    const url = order.notifyUrl ?? webhookUrl;
    await deliverWebhook(webhookFaults, () => url, (forge) => {
      const info = orderInfo(order);
      const fields = {
        out_trade_no: info.out_trade_no, token: info.token, transaction_id: info.transaction_id, body: info.body,
        total_amount: info.total_amount, currency: info.currency, status: info.status, paid_at: info.paid_at,
        sign_type: opts.notifySignType ?? "MD5",
      };
      let sign = kessSign(fields, creds.apiSecret);
      if (forge) sign = (sign[0] === "0" ? "1" : "0") + sign.slice(1);
      return { headers: { "content-type": "application/json" }, body: JSON.stringify({ ...fields, sign }) };
    }, () => stats.notifications++);
  }

  const server = await serveApp(app, { port: opts.port });
  baseUrl = server.url;

  return {
    name: "kess",
    url: server.url,
    apiFaults,
    webhookFaults,
    stats,
    pay,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    config(overrides = {}) {
      return {
        baseUrl: server.url, clientId: creds.clientId, clientSecret: creds.clientSecret, username: creds.username,
        password: creds.password, sellerCode: creds.sellerCode, apiSecret: creds.apiSecret, signType: "MD5", serviceCode: "KHQR",
        ...overrides,
      };
    },
    revokeTokens() {
      accessTokens.clear();
    },
    setRefundsSupported(supported) {
      refundsSupported = supported;
    },
    setQrMode(mode) {
      qrMode = mode;
    },
    order(reference) {
      const o = findOrder(reference);
      return o && structuredClone(o);
    },
    get deeplinkMode() {
      return deeplinkMode;
    },
    set deeplinkMode(mode: KessDeeplinkMode) {
      deeplinkMode = mode;
    },
    setOrderStatus(reference, status, txnId) {
      const o = orders.get(reference);
      if (!o) throw new Error(`KESS simulator: no order ${reference}`);
      o.status = status;
      if (txnId !== undefined) o.transactionId = txnId;
    },
    async close() {
      closing.abort();
      await server.close();
    },
  };
}

/** Tag 29 (individual, like the seed's generateKhqr example) for KHQR codes, tag 30 (merchant) otherwise. */
function qrAccount(serviceCode: string): KhqrAccount {
  return serviceCode === "KHQR" || serviceCode === "KESSKHQR"
    ? { kind: "individual", bakongAccountId: "khqr@kess", accountInformation: "000024924", acquiringBank: "Kess Innovation Plc" }
    : { kind: "merchant", bakongAccountId: "kesspay@kess", merchantId: serviceCode, acquiringBank: "KESS Innovation Plc" };
}

/** "2022-07-18T10:44:53.000000Z", the seed's format. */
function kessTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, ".000000Z");
}

/** "TR2502-101237442664727769", like the seed's transaction refs. */
function transactionId(prefix: string): string {
  const yymm = new Date().toISOString().slice(2, 7).replace("-", "");
  return `${prefix}${yymm}-${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
}

async function jsonObject(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await c.req.json();
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A PHP-style boolean parameter (true/false, 1/0, "1"/"0"): undefined when absent, null when neither. */
function booleanFlag(value: unknown): boolean | undefined | null {
  if (value === undefined) return undefined;
  if (value === true || value === 1 || value === "1") return true;
  if (value === false || value === 0 || value === "0") return false;
  return null;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
