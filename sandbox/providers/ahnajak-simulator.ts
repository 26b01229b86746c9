import { Hono, type Context } from "hono";
import { createHash, createHmac, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { z } from "zod";
import { encodeKhqr, type KhqrAccount } from "../../src/khqr/index.js";
import { CURRENCIES, decimalString, formatMoney, minorFromDecimal, type Currency } from "../../src/money/money.js";
import { apiFaultMiddleware, noApiFaults, noWebhookFaults } from "../faults.js";
import type { PayableOrder, ProviderSimulator } from "../provider-simulator.js";
import { serveApp } from "../serve.js";
import { deliverWebhook, spoilHex, type WebhookDelivery } from "./webhook-sender.js";

const SESSION_LIFETIME_MS = 10 * 60_000;

/** Seed 000's formulas, re-derived here: lower-case hex SHA-256 and HMAC-SHA256. */
const sha256 = (...parts: string[]) => createHash("sha256").update(parts.join(""), "utf8").digest("hex");
const checkoutRequestHash = (profileId: string, transactionId: string, amount: string, secret: string) => sha256(profileId, transactionId, amount, secret);
const webhookPayloadHash = (transactionId: string, amount: string, secret: string) => sha256(transactionId, amount, secret);
const webhookSignature = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");
const checkoutPagePath = (txId: string) => `/payment/khqrcc/${encodeURIComponent(txId)}`;

/** The template variables of seed 000's Custom Webhook Payload. */
type WebhookVariable = "transaction_id" | "amount" | "status" | "hash";
const WEBHOOK_VARIABLES: readonly WebhookVariable[] = ["transaction_id", "amount", "status", "hash"];

export interface AhnajakSimulatorOptions {
  profileId: string;
  secretKey: string;
  /** The Custom Payload Template set in Ahnajak's dashboard; absent = the default fields. */
  payloadTemplate?: Record<string, string>;
  /** The KHQR's account: an individual Bakong account (tag 29) or an ABA merchant (tag 30). Default individual. */
  account?: "individual" | "merchant";
  merchantName?: string;
  webhookUrl?: string;
  port?: number;
  now?: () => number;
}

export interface SimAhnajakSession {
  /** The checkout page's id (`/payment/khqrcc/{txId}`). */
  txId: string;
  transactionId: string;
  amount: string;
  amountMinor: number;
  remark: string;
  qr: string;
  createdAt: number;
  expiresAt: number;
  paid?: { amountMinor: number; at: number };
}

export type AhnajakWebhookDelivery = WebhookDelivery;

export interface AhnajakSimulator extends ProviderSimulator {
  /** Mutable, like the dashboard setting. */
  payloadTemplate: Record<string, string> | undefined;
  /**
   * What `webhookFaults.mode = "bad_signature"` spoils: the X-Ahnajak-Signature header, or only the
   * payload hash under a valid header signature (signed, so our side records it HELD rather than refusing it).
   */
  badSignatureKind: "header" | "payload_hash";
  readonly deliveries: readonly AhnajakWebhookDelivery[];
  session(transactionId: string): SimAhnajakSession | undefined;
  /**
   * How the default body writes `amount`: "string" ("12.50", as documented), or a JSON number whose
   * payload hash was taken over "12.50" ("number") or over the number's shortest text "12.5"
   * ("number_hashed_short", what PHP or JavaScript would print).
   */
  webhookAmountAs: "string" | "number" | "number_hashed_short";
  /**
   * Values that replace the default body's own (e.g. `{ amount: "12.505" }`), for a notification the
   * seed does not show: the payload hash is taken over what is sent unless `hash` is replaced too, and
   * the header signature always over the body sent.
   */
  webhookOverrides: Record<string, unknown>;
  /** A body sent instead of any JSON (still signed), for a notification Ahnajak might send unreadable. */
  webhookRawBody: string | undefined;
}

type Opened = { ok: true; session: SimAhnajakSession } | { ok: false; status: 400 | 403 | 404 | 409; message: string };

const controlPay = z.object({
  reference: z.string().min(1),
  qr: z.string().optional(),
  checkoutUrl: z.string().optional(),
  amountMinor: z.number().int().nonnegative().optional(),
  currency: z.enum(CURRENCIES as [Currency, ...Currency[]]).optional(),
});

/** Ahnajak's signed checkout link, hosted KHQR page and signed webhook (seed 000), plus a paying bank app. */
export async function startAhnajakSimulator(opts: AhnajakSimulatorOptions): Promise<AhnajakSimulator> {
  const now = opts.now ?? Date.now;
  const merchantName = opts.merchantName ?? "Ahnajak Shop";
  const account: KhqrAccount =
    opts.account === "merchant"
      ? { kind: "merchant", bakongAccountId: "ahnajak@abaa", merchantId: "001122334", acquiringBank: "ABA Bank" }
      : { kind: "individual", bakongAccountId: "ahnajak@abaa" };
  const sessions = new Map<string, SimAhnajakSession>();
  const deliveries: AhnajakWebhookDelivery[] = [];
  const apiFaults = noApiFaults();
  const webhookFaults = noWebhookFaults();
  const closing = new AbortController();
  let webhookUrl = opts.webhookUrl;

  const byTransactionId = (id: string) => [...sessions.values()].find((s) => s.transactionId === id);

  function open(profileId: string, q: Record<string, string | undefined>): Opened {
    if (profileId !== opts.profileId) return { ok: false, status: 404, message: "Profile not found" };
    const { transaction_id: transactionId, amount, hash } = q;
    if (!transactionId || !amount || !hash) return { ok: false, status: 400, message: "transaction_id, amount and hash are required" };
    if (hash !== checkoutRequestHash(opts.profileId, transactionId, amount, opts.secretKey)) {
      return { ok: false, status: 403, message: "Invalid hash" };
    }
    const amountMinor = /^\d+(\.\d{1,2})?$/.test(amount) ? minorFromDecimal(amount, "USD") : null;
    if (amountMinor === null || amountMinor < 1) return { ok: false, status: 400, message: "amount must be a USD amount of at least 0.01" };
    const existing = byTransactionId(transactionId);
    if (existing) {
      return existing.amountMinor === amountMinor ? { ok: true, session: existing } : { ok: false, status: 409, message: "transaction_id already used" };
    }
    const createdAt = now();
    const expiresAt = createdAt + SESSION_LIFETIME_MS;
    const session: SimAhnajakSession = {
      txId: randomBytes(12).toString("hex"),
      transactionId,
      amount,
      amountMinor,
      remark: q.remark ?? "",
      qr: encodeKhqr({
        account,
        merchantName,
        merchantCity: "Phnom Penh",
        currency: "USD",
        amountMinor,
        billNumber: transactionId.length <= 25 ? transactionId : undefined,
        createdAt,
        expiresAt,
      }),
      createdAt,
      expiresAt,
    };
    sessions.set(session.txId, session);
    return { ok: true, session };
  }

  const app = new Hono();
  app.use("/api/*", apiFaultMiddleware(apiFaults, closing.signal));

  app.get("/api/payment/requestv2/:profileId", (c) => {
    const opened = open(c.req.param("profileId") ?? "", c.req.query());
    if (!opened.ok) return failure(c, opened.status, opened.message);
    return c.redirect(checkoutPagePath(opened.session.txId), 302);
  });

  app.get("/payment/khqrcc/:txId", async (c) => {
    const session = sessions.get(c.req.param("txId") ?? "");
    if (!session) return failure(c, 404, "Checkout not found");
    return c.html(await checkoutPage(session, merchantName, now()));
  });

  app.post("/_control/pay", async (c) => {
    const parsed = controlPay.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: "expected {reference, checkoutUrl?, amountMinor?}" }, 400);
    try {
      return c.json(await pay(parsed.data));
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409);
    }
  });

  function findOrOpen(order: PayableOrder): SimAhnajakSession {
    const known = byTransactionId(order.reference);
    if (known) return known;
    if (!order.checkoutUrl) throw new Error(`Ahnajak simulator: no checkout for ${order.reference}`);
    const url = new URL(order.checkoutUrl);
    const page = /\/payment\/khqrcc\/([^/]+)$/.exec(url.pathname)?.[1];
    if (page) {
      const session = sessions.get(decodeURIComponent(page));
      if (!session) throw new Error(`Ahnajak simulator: no checkout page ${page}`);
      return session;
    }
    const profileId = /\/api\/payment\/requestv2\/([^/]+)$/.exec(url.pathname)?.[1];
    // The bank app opens the link the customer was given, as a browser would.
    const opened = open(decodeURIComponent(profileId ?? ""), Object.fromEntries(url.searchParams));
    if (!opened.ok) throw new Error(`Ahnajak simulator: ${opened.message}`);
    return opened.session;
  }

  async function pay(order: PayableOrder): Promise<{ providerTxnId: string }> {
    if (order.currency !== undefined && order.currency !== "USD") throw new Error("Ahnajak simulator: ABA Pay checkouts are paid in USD");
    const session = findOrOpen(order);
    // The checkout page shows "paid" once paid: the session cannot take a second payment.
    if (session.paid) throw new Error(`Ahnajak simulator: ${session.transactionId} is already paid`);
    session.paid = { amountMinor: order.amountMinor ?? session.amountMinor, at: now() };
    await notify(session);
    return { providerTxnId: session.transactionId };
  }

  async function notify(session: SimAhnajakSession): Promise<void> {
    const paid = session.paid;
    if (!paid) return;
    await deliverWebhook(webhookFaults, () => webhookUrl, (forge) => {
      const amount = decimalString(paid.amountMinor, "USD");
      const asNumber = sim.webhookAmountAs !== "string";
      const over = sim.webhookOverrides;
      const sent = (name: WebhookVariable, value: string) => (name in over ? String(over[name]) : value);
      const hashed = sim.webhookAmountAs === "number_hashed_short" ? String(Number(amount)) : amount;
      let hash = webhookPayloadHash(sent("transaction_id", session.transactionId), sent("amount", hashed), opts.secretKey);
      const spoiling = forge ? sim.badSignatureKind : undefined;
      if (spoiling === "payload_hash") hash = spoilHex(hash);
      const values = { transaction_id: session.transactionId, amount, status: "SUCCESS", hash };
      const payload = renderPayload(sim.payloadTemplate, values);
      if (asNumber && !sim.payloadTemplate) payload.amount = Number(amount);
      const body = sim.webhookRawBody ?? JSON.stringify({ ...payload, ...over });
      let signature = webhookSignature(opts.secretKey, body);
      if (spoiling === "header") signature = spoilHex(signature);
      return { headers: { "content-type": "application/json", "x-ahnajak-signature": signature }, body };
    }, (delivery) => deliveries.push(delivery));
  }

  const server = await serveApp(app, { port: opts.port });
  const sim: AhnajakSimulator = {
    name: "ahnajak",
    url: server.url,
    payloadTemplate: opts.payloadTemplate,
    badSignatureKind: "header",
    webhookAmountAs: "string",
    webhookOverrides: {},
    webhookRawBody: undefined,
    deliveries,
    apiFaults,
    webhookFaults,
    pay,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    session: byTransactionId,
    async close() {
      closing.abort();
      await server.close();
    },
  };
  return sim;
}

/** The default body, or the dashboard template with each `{{variable}}` filled in. */
function renderPayload(template: Record<string, string> | undefined, values: Record<WebhookVariable, string>): Record<string, unknown> {
  if (!template) return { ...values };
  const fill = (whole: string, v: string) => ((WEBHOOK_VARIABLES as readonly string[]).includes(v) ? values[v as WebhookVariable] : whole);
  return Object.fromEntries(Object.entries(template).map(([field, text]) => [field, text.replace(/\{\{\s*(\w+)\s*\}\}/g, fill)]));
}

async function checkoutPage(s: SimAhnajakSession, merchantName: string, nowMs: number): Promise<string> {
  const svg = await QRCode.toString(s.qr, { type: "svg", margin: 2, width: 280 });
  const state = s.paid ? "Paid" : nowMs > s.expiresAt ? "Expired" : `Expires at ${new Date(s.expiresAt).toISOString()}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ABA Pay checkout</title>
<style>body{font-family:sans-serif;max-width:360px;margin:24px auto;text-align:center}code{word-break:break-all;font-size:11px}</style>
</head><body>
<h1>${escapeHtml(merchantName)}</h1>
<p class="amount">${escapeHtml(formatMoney(s.amountMinor, "USD"))}</p>
<div class="qr">${svg}</div>
<p class="state">${escapeHtml(state)}</p>
<p>Order ${escapeHtml(s.transactionId)}${s.remark ? ` &middot; ${escapeHtml(s.remark)}` : ""}</p>
<code id="khqr">${escapeHtml(s.qr)}</code>
<p><button id="pay" ${s.paid ? "disabled" : ""}>Simulate payment</button></p>
<script>
document.getElementById("pay").addEventListener("click", async () => {
  const res = await fetch("/_control/pay", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: ${JSON.stringify(s.transactionId).replaceAll("<", "\\u003c")} }) });
  if (res.ok) location.reload(); else alert((await res.json()).error);
});
</script>
</body></html>`;
}

function failure(c: Context, status: 400 | 403 | 404 | 409, message: string) {
  if ((c.req.header("accept") ?? "").includes("application/json")) return c.json({ status: "error", message }, status);
  return c.html(`<!doctype html><html><body><h1>Payment error</h1><p>${escapeHtml(message)}</p></body></html>`, status);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
