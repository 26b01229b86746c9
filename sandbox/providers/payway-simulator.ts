import { randomInt } from "node:crypto";
import { Hono } from "hono";
import { validateKhqr } from "../../src/khqr/index.js";
import { decimalString, type Currency } from "../../src/money/money.js";
import { noApiFaults, noWebhookFaults, sleep } from "../faults.js";
import type { PayableOrder, ProviderSimulator } from "../provider-simulator.js";
import { serveApp } from "../serve.js";
import { deliverWebhook } from "./webhook-sender.js";

export interface PayWaySimulatorOptions {
  /** Our webhook URL, secret path token included. */
  webhookUrl?: string;
  /** Who pays: shown as payer_name and (masked) payer_account. */
  payer?: { name: string; account: string; bank: string };
  now?: () => number;
  port?: number;
}

/** One notification the simulator tried to deliver, and what our server answered. */
export interface PayWayDelivery {
  url: string;
  body: string;
  status?: number;
  error?: string;
}

/**
 * How the next notifications look. `fieldTypes`: "seed" as seed 003 prints them (tran_id a string,
 * amounts JSON numbers), "strings" (every value a string) or "numbers" (tran_id a number too).
 * `status`/`description`: "0"/"APPROVED" is a payment; anything else shows an unknown status.
 * `overrides`: values that replace the body's own (e.g. `{ original_currency: "EUR" }`), for a
 * notification the seed does not show.
 */
export interface PayWayNotificationStyle {
  fieldTypes: "seed" | "strings" | "numbers";
  status: string;
  description: string;
  overrides: Record<string, unknown>;
}

export type PayWaySimulator = ProviderSimulator & {
  readonly deliveries: readonly PayWayDelivery[];
  readonly style: PayWayNotificationStyle;
};

/** Seed 003's notification body, with each value typed as the style asks. */
type PayWayNotification = Record<string, unknown>;

const PHNOM_PENH_OFFSET_MS = 7 * 3600_000;

/**
 * ABA PayWay has no API for KHQR (we build the QR ourselves), so this simulates only the bank side:
 * a bank app pays the QR and PayWay posts its unsigned notification to our secret-path webhook.
 */
export async function startPayWaySimulator(opts: PayWaySimulatorOptions = {}): Promise<PayWaySimulator> {
  const now = opts.now ?? Date.now;
  const payer = opts.payer ?? { name: "KEO SIDARA", account: "*898", bank: "ABA Bank" };
  let webhookUrl = opts.webhookUrl;
  const apiFaults = noApiFaults();
  const webhookFaults = noWebhookFaults();
  const deliveries: PayWayDelivery[] = [];
  const usedTranIds = new Set<string>();
  const style: PayWayNotificationStyle = { fieldTypes: "seed", status: "0", description: "APPROVED", overrides: {} };

  async function pay(order: PayableOrder): Promise<{ providerTxnId: string }> {
    const paid = whatIsPaid(order, now());
    const tranId = newTranId(usedTranIds);
    const amount = decimalString(paid.amountMinor, paid.currency);
    const typed = (text: string) => (style.fieldTypes === "strings" ? text : Number(text));
    const body: PayWayNotification = {
      tran_id: style.fieldTypes === "numbers" ? Number(tranId) : tranId,
      merchant_ref: paid.reference,
      datetime: new Date(now() + PHNOM_PENH_OFFSET_MS).toISOString().slice(0, 19).replace("T", " "),
      bank_ref: `100FT${digits(11)}`,
      status: style.status,
      description: style.description,
      apv: digits(6),
      original_amount: typed(amount),
      original_currency: paid.currency,
      payment_amount: typed(amount),
      payment_currency: paid.currency,
      payment_type: "KHQR",
      payer_account: payer.account,
      payer_name: payer.name,
      bank_name: payer.bank,
      ...style.overrides,
    };
    await deliver(JSON.stringify(body));
    return { providerTxnId: tranId };
  }

  async function deliver(body: string): Promise<void> {
    // Here the delay comes first: a dropped notification, or one with no URL, still takes delayMs.
    if (webhookFaults.delayMs > 0) await sleep(webhookFaults.delayMs);
    const url = webhookUrl;
    await deliverWebhook({ ...webhookFaults, delayMs: 0 }, () => url, (forge) => ({
      // PayWay signs nothing; the closest forgery is a post to a path without the right token.
      url: forge ? withWrongPathToken(url!) : url,
      headers: { "content-type": "application/json" },
      body,
    }), ({ headers: _headers, ...delivery }) => deliveries.push(delivery));
  }

  const app = new Hono();
  app.post("/_control/pay", async (c) => {
    const input = (await c.req.json().catch(() => null)) as Partial<PayableOrder> | null;
    if (!input || typeof input.reference !== "string") return c.json({ error: "reference is required" }, 400);
    try {
      return c.json(await pay(input as PayableOrder));
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 422);
    }
  });
  const server = await serveApp(app, { port: opts.port });

  return {
    name: "payway",
    url: server.url,
    pay,
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    // PayWay has no KHQR API, so there is no call for these to fault.
    apiFaults,
    webhookFaults,
    deliveries,
    style,
    close: () => server.close(),
  };
}

/** The reference, amount and currency a bank app pays: read from the QR, or from the order. */
function whatIsPaid(order: PayableOrder, nowMs: number): { reference: string; amountMinor: number; currency: Currency } {
  if (!order.qr) {
    if (order.amountMinor === undefined || order.currency === undefined) throw new Error("PayWay simulator: an order without a QR needs amountMinor and currency");
    return { reference: order.reference, amountMinor: order.amountMinor, currency: order.currency };
  }
  const checked = validateKhqr(order.qr, { now: () => nowMs });
  if (!checked.ok) throw new Error(`PayWay simulator: not a valid KHQR (${checked.error.message})`);
  const qr = checked.value;
  const amountMinor = order.amountMinor ?? qr.amountMinor;
  if (amountMinor === undefined) throw new Error("PayWay simulator: a static QR needs order.amountMinor");
  return { reference: qr.billNumber ?? order.reference, amountMinor, currency: order.currency ?? qr.currency };
}

function newTranId(used: Set<string>): string {
  for (;;) {
    const id = `${randomInt(1, 10)}${digits(14)}`;
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

function digits(n: number): string {
  let out = "";
  while (out.length < n) out += String(randomInt(0, 10_000_000)).padStart(7, "0");
  return out.slice(0, n);
}

function withWrongPathToken(url: string): string {
  const u = new URL(url);
  const segments = u.pathname.split("/");
  segments[segments.length - 1] = `wrong-${digits(12)}`;
  u.pathname = segments.join("/");
  return u.toString();
}
