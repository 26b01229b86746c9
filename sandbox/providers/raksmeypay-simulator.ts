import { Hono, type Context } from "hono";
import { createHash, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { z } from "zod";
import { crc16, decodeKhqr, encodeKhqr, encodeRecords, khqrMd5, parseRecords } from "../../src/khqr/index.js";
import { CURRENCIES, decimalString, minorFromDecimal, type Currency } from "../../src/money/money.js";
import { apiFaultMiddleware, noApiFaults, noWebhookFaults } from "../faults.js";
import type { PayableOrder, ProviderSimulator } from "../provider-simulator.js";
import { serveApp } from "../serve.js";
import { deliverWebhook, spoilHex, type WebhookDelivery } from "./webhook-sender.js";

const QR_LIFETIME_MS = 10 * 60_000;

/** Seed 001's hashes, re-derived here: sha1 over plain concatenation, lower-case hex. */
const sha1 = (...parts: string[]) => createHash("sha1").update(parts.join(""), "utf8").digest("hex");
const qrRequestHash = (key: string, transactionId: string, amount: string, remark: string) => sha1(key, transactionId, amount, remark);
const verifyRequestHash = (key: string, transactionId: string) => sha1(key, transactionId);
const webhookHash = (key: string, timestamp: string, amount: string, bakongHash: string, transactionId: string) => sha1(key, timestamp, amount, bakongHash, transactionId);
const CAMBODIA_OFFSET_MS = 7 * 3_600_000;

export interface RaksmeyPaySimulatorOptions {
  profileId: string;
  profileKey: string;
  webhookApiKey: string;
  /** The currency of the profile's Bakong account: RaksmeyPay's QR API takes no currency. Default USD. */
  currency?: Currency;
  merchantName?: string;
  bakongAccountId?: string;
  /** Per-transaction limit in minor units of the profile's currency (default 10,000 USD / 41,000,000 KHR). */
  transactionLimitMinor?: number;
  /** Paid per day (Cambodia time) in minor units; default unlimited. */
  dailyLimitMinor?: number;
  webhookUrl?: string;
  port?: number;
  now?: () => number;
}

/** The merchant profile as RaksmeyPay holds it; tests flip these to reach each response code. */
export interface RaksmeyPaySimProfile {
  id: string;
  key: string;
  webhookApiKey: string;
  active: boolean;
  bakongConfigured: boolean;
  currency: Currency;
  transactionLimitMinor: number;
  dailyLimitMinor: number;
}

export interface SimRaksmeyPayTransaction {
  transactionId: string;
  /** The amount string as we sent it. */
  amount: string;
  amountMinor: number;
  currency: Currency;
  remark: string;
  qr: string;
  md5: string;
  reqTime: number;
  /** The first payment: what the Verify API reports. */
  paid?: SimRaksmeyPayPayment;
  /** Every payment of this QR, the first included: a bank app can pay the same KHQR again. */
  payments: SimRaksmeyPayPayment[];
}

export interface SimRaksmeyPayPayment {
  amountMinor: number;
  currency: Currency;
  bakongHash: string;
  timestamp: number;
  day: string;
}

export type { WebhookDelivery } from "./webhook-sender.js";

export interface RaksmeyPaySimulator extends ProviderSimulator {
  readonly profile: RaksmeyPaySimProfile;
  /** What `webhookFaults.mode = "bad_signature"` spoils: the payload hash or the X-Api-Key header. */
  badSignatureKind: "hash" | "api_key";
  /** Every webhook attempt, in order. */
  readonly deliveries: readonly WebhookDelivery[];
  transaction(transactionId: string): SimRaksmeyPayTransaction | undefined;
  /** How the webhook writes `amount`: a string as the seed shows, or a JSON number (hashed as "5.00"). */
  webhookAmountAs: "string" | "number";
  /** QRs without tag 99.01 (no expiry), as some RaksmeyPay profiles issue them. */
  qrWithoutExpiry: boolean;
  /** Hex digits of a new payment's bakong_hash: 40 as in the seed's sample payload (default), or 64 as Bakong's own hashes. */
  bakongHashHex: 40 | 64;
  /**
   * Values that replace the webhook's own (e.g. `{ currency: "EUR" }`, `{ amount: "12.505" }`), for a
   * notification RaksmeyPay might send but the seed does not show; the hash is taken over what is sent.
   */
  webhookOverrides: Record<string, unknown>;
}

const controlPay = z.object({
  reference: z.string().min(1),
  qr: z.string().optional(),
  checkoutUrl: z.string().optional(),
  amountMinor: z.number().int().nonnegative().optional(),
  currency: z.enum(CURRENCIES as [Currency, ...Currency[]]).optional(),
});

/** RaksmeyPay's QR API, Verify API and webhook (seed 001), plus a bank app that pays its QRs. */
export async function startRaksmeyPaySimulator(opts: RaksmeyPaySimulatorOptions): Promise<RaksmeyPaySimulator> {
  const now = opts.now ?? Date.now;
  const currency = opts.currency ?? "USD";
  const profile: RaksmeyPaySimProfile = {
    id: opts.profileId,
    key: opts.profileKey,
    webhookApiKey: opts.webhookApiKey,
    active: true,
    bakongConfigured: true,
    currency,
    transactionLimitMinor: opts.transactionLimitMinor ?? (currency === "USD" ? 1_000_000 : 41_000_000),
    dailyLimitMinor: opts.dailyLimitMinor ?? Number.POSITIVE_INFINITY,
  };
  const merchantName = opts.merchantName ?? "RaksmeyPay Merchant";
  const bakongAccountId = opts.bakongAccountId ?? "raksmeypay@aclb";
  const transactions = new Map<string, SimRaksmeyPayTransaction>();
  const deliveries: WebhookDelivery[] = [];
  const apiFaults = noApiFaults();
  const webhookFaults = noWebhookFaults();
  const closing = new AbortController();
  let webhookUrl = opts.webhookUrl;
  let baseUrl = "";

  const dayOf = (ms: number) => new Date(ms + CAMBODIA_OFFSET_MS).toISOString().slice(0, 10);
  const paidToday = () => {
    const today = dayOf(now());
    let sum = 0;
    for (const t of transactions.values()) if (t.paid?.day === today) sum += t.paid.amountMinor;
    return sum;
  };

  const app = new Hono();
  app.use("/api/*", apiFaultMiddleware(apiFaults, closing.signal));

  app.post("/api/payment/qr-api/:profileId", async (c) => {
    const refuse = (code: number, message: string) => c.json({ responseCode: code, responseMessage: message });
    if (c.req.param("profileId") !== profile.id) return refuse(1, "Profile not found");
    if (!profile.active) return refuse(2, "Profile is not active");
    if (!profile.bakongConfigured) return refuse(3, "Bakong account not configured");
    const f = await formFields(c);
    const transactionId = f.transaction_id ?? "";
    const amount = f.amount ?? "";
    const remark = f.remark ?? "";
    if (f.hash !== qrRequestHash(profile.key, transactionId, amount, remark)) return refuse(4, "Invalid hash");
    // Malformed input is answered the way a Laravel validator would; the seed lists no code for it.
    if (!/^\d{1,15}$/.test(transactionId)) return invalid(c, "transaction_id", "The transaction id must be a number of at most 15 digits.");
    if (remark.length > 500) return invalid(c, "remark", "The remark may not be greater than 500 characters.");
    if (f.qr_template !== undefined && f.qr_template !== "1" && f.qr_template !== "2") return invalid(c, "qr_template", "The qr template must be 1 or 2.");
    const amountMinor = minorFromDecimal(amount, profile.currency);
    if (amountMinor === null) return invalid(c, "amount", "The amount must be a number.");
    const existing = transactions.get(transactionId);
    if (existing?.paid) return refuse(8, "Transaction already paid");
    if (existing) return c.json(qrAnswer(existing));
    if (profile.currency === "KHR" && amountMinor < 100) return refuse(5, "KHR amount must be at least 100");
    if (amountMinor < 1) return invalid(c, "amount", "The amount must be at least 0.01.");
    if (amountMinor > profile.transactionLimitMinor) return refuse(6, "Amount exceeds transaction limit");
    if (paidToday() + amountMinor > profile.dailyLimitMinor) return refuse(7, "Daily transaction limit reached");

    const createdAt = now();
    const encoded = encodeKhqr({
      account: { kind: "individual", bakongAccountId },
      merchantName,
      merchantCity: "Phnom Penh",
      currency: profile.currency,
      amountMinor,
      billNumber: transactionId,
      createdAt,
      expiresAt: createdAt + QR_LIFETIME_MS,
    });
    const qr = sim.qrWithoutExpiry ? withoutExpiry(encoded) : encoded;
    const txn: SimRaksmeyPayTransaction = {
      transactionId, amount, amountMinor, currency: profile.currency, remark, qr, md5: khqrMd5(qr), reqTime: Math.floor(createdAt / 1000), payments: [],
    };
    transactions.set(transactionId, txn);
    return c.json(qrAnswer(txn));
  });

  function qrAnswer(t: SimRaksmeyPayTransaction) {
    const image = `${baseUrl}/img/payment-qr/khqr_${t.md5}.png`;
    return {
      responseCode: 0,
      responseMessage: "Success",
      data: {
        transaction_id: t.transactionId,
        amount: t.amount,
        qr: t.qr,
        qr_url: image,
        qr_image_url: image,
        md5: t.md5,
        req_time: t.reqTime,
        // Undocumented field; a hash over the answer is the simulator's guess at its meaning.
        hash: qrRequestHash(profile.key, t.transactionId, t.amount, t.md5),
      },
    };
  }

  app.post("/api/payment/verify/:profileId", async (c) => {
    if (c.req.param("profileId") !== profile.id) return c.json({ status: 0, err_msg: "Profile not found" });
    const f = await formFields(c);
    const transactionId = f.transaction_id ?? "";
    if (f.hash !== verifyRequestHash(profile.key, transactionId)) return c.json({ status: 0, err_msg: "Invalid hash" });
    const t = transactions.get(transactionId);
    if (!t) return c.json({ status: 0, err_msg: "Payment not found" });
    if (!t.paid) return c.json({ status: 1, payment_amount: Number(t.amount), payment_status: "PENDING" });
    return c.json({ status: 1, payment_amount: Number(decimalString(t.paid.amountMinor, t.paid.currency)), payment_status: "SUCCESS" });
  });

  app.get("/img/payment-qr/:file", async (c) => {
    const md5 = /^khqr_([0-9a-f]{32})\.png$/.exec(c.req.param("file"))?.[1];
    const t = md5 ? [...transactions.values()].find((x) => x.md5 === md5) : undefined;
    if (!t) return c.text("Not Found", 404);
    const png = await QRCode.toBuffer(t.qr, { type: "png", margin: 2, width: 320 });
    return c.body(new Uint8Array(png), 200, { "content-type": "image/png" });
  });

  app.post("/_control/pay", async (c) => {
    const parsed = controlPay.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: "expected {reference, qr?, amountMinor?, currency?}" }, 400);
    try {
      return c.json(await pay(parsed.data));
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409);
    }
  });

  function findOrder(order: PayableOrder): SimRaksmeyPayTransaction | undefined {
    const byReference = transactions.get(order.reference);
    if (byReference || !order.qr) return byReference;
    const md5 = khqrMd5(order.qr);
    const bill = decodeKhqr(order.qr);
    return [...transactions.values()].find((t) => t.md5 === md5 || (bill.ok && bill.value.billNumber === t.transactionId));
  }

  async function pay(order: PayableOrder): Promise<{ providerTxnId: string }> {
    const t = findOrder(order);
    if (!t) throw new Error(`RaksmeyPay simulator: no transaction ${order.reference}`);
    const paidAt = now();
    // Each payment is its own bank transaction; paying the same QR again makes a new bakong_hash.
    const payment: SimRaksmeyPayPayment = {
      amountMinor: order.amountMinor ?? t.amountMinor,
      currency: order.currency ?? t.currency,
      bakongHash: randomBytes(sim.bakongHashHex / 2).toString("hex"),
      timestamp: Math.floor(paidAt / 1000),
      day: dayOf(paidAt),
    };
    t.paid ??= payment;
    t.payments.push(payment);
    await notify(t, payment);
    return { providerTxnId: payment.bakongHash };
  }

  async function notify(t: SimRaksmeyPayTransaction, paid: SimRaksmeyPayPayment): Promise<void> {
    await deliverWebhook(webhookFaults, () => webhookUrl, (forge) => {
      const amount = decimalString(paid.amountMinor, paid.currency);
      const fields: Record<string, unknown> = {
        transaction_id: t.transactionId,
        amount: sim.webhookAmountAs === "number" ? Number(amount) : amount,
        currency: paid.currency,
        status: "success",
        profile_id: profile.id,
        bakong_hash: paid.bakongHash,
        timestamp: paid.timestamp,
        ...sim.webhookOverrides,
      };
      // A JSON number amount is hashed as the decimal it stands for ("5.00").
      const hashed = (name: string) => (name === "amount" && typeof fields.amount === "number" ? fields.amount.toFixed(2) : String(fields[name]));
      let hash = webhookHash(profile.key, hashed("timestamp"), hashed("amount"), hashed("bakong_hash"), hashed("transaction_id"));
      let apiKey = profile.webhookApiKey;
      if (forge) {
        if (sim.badSignatureKind === "hash") hash = spoilHex(hash);
        else apiKey = `${apiKey}-wrong`;
      }
      const body = JSON.stringify({ ...fields, hash });
      return { headers: { "content-type": "application/json", "x-api-key": apiKey }, body };
    }, (delivery) => deliveries.push(delivery));
  }

  const server = await serveApp(app, { port: opts.port });
  baseUrl = server.url;

  const sim: RaksmeyPaySimulator = {
    name: "raksmeypay",
    url: server.url,
    profile,
    badSignatureKind: "hash",
    webhookAmountAs: "string",
    qrWithoutExpiry: false,
    bakongHashHex: 40,
    webhookOverrides: {},
    deliveries,
    apiFaults,
    webhookFaults,
    pay,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    transaction: (id) => transactions.get(id),
    async close() {
      closing.abort();
      await server.close();
    },
  };
  return sim;
}

/** The same KHQR without sub-tag 99.01, its CRC computed again. */
function withoutExpiry(qr: string): string {
  const records = parseRecords(qr.slice(0, -8));
  if (!Array.isArray(records)) throw new Error("RaksmeyPay simulator: built an unreadable KHQR");
  const kept = records.map((r) => (r.tag === "99" && r.children ? { tag: "99", value: "", children: r.children.filter((c) => c.tag !== "01") } : r));
  const body = `${encodeRecords(kept)}6304`;
  return body + crc16(body);
}

async function formFields(c: Context): Promise<Record<string, string | undefined>> {
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : undefined]));
}

function invalid(c: Context, field: string, message: string) {
  return c.json({ message, errors: { [field]: [message] } }, 422);
}
