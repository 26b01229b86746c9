import { createHash, randomBytes } from "node:crypto";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PayWayConfig } from "../../src/config/config.js";
import { decodeKhqr, khqrMd5 } from "../../src/khqr/index.js";
import type { Currency } from "../../src/money/money.js";
import type { TopUpRef, WebhookRequest, WebhookResult } from "../../src/payments/provider.js";
import type { PaymentObservation } from "../../src/ledger/observation.js";
import { createPayWayProvider } from "../../src/payments/providers/payway/payway.js";
import { noWebhookFaults } from "../../sandbox/faults.js";
import { startPayWaySimulator, type PayWaySimulator } from "../../sandbox/providers/payway-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const config: PayWayConfig = {
  bakongId: "abaakhppxxx@abaa",
  merchantId: "125021214532846",
  acquiringBank: "ABA Bank",
  data: "0010PAYWAY@ABA0208104514230604A227",
  mcc: "5987",
  webhookToken: randomBytes(24).toString("hex"),
};
const log = pino({ level: "silent" });
const adapter = createPayWayProvider(config, { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh" });

/** The seed's sample notification, with a reference of ours in merchant_ref. */
const SEED_BODY = {
  tran_id: "175980853350227",
  merchant_ref: "25100712345678",
  datetime: "2025-10-07 10:42:13",
  bank_ref: "100FT30152694050",
  status: "0",
  description: "APPROVED",
  apv: "140724",
  original_amount: 100,
  original_currency: "KHR",
  payment_amount: 100.0,
  payment_currency: "KHR",
  payment_type: "ABA Pay",
  payer_account: "*898",
  payer_name: "KEO SIDARA",
  bank_name: "ABA Bank",
};

let sequence = 0;
function topUp(amountMinor: number, currency: Currency): TopUpRef {
  const now = Date.now();
  return {
    reference: String(25_120_100_000_000 + ++sequence),
    amountMinor,
    currency,
    panelLogin: "alice",
    createdAt: new Date(now),
    expiresAt: new Date(now + 10 * 60_000),
  };
}

interface Received {
  status: number;
  result: WebhookResult;
}

let receiver: RunningServer;
let sim: PayWaySimulator;
const received: Received[] = [];

beforeAll(async () => {
  const app = new Hono();
  app.post("/webhooks/payway/:token", async (c) => {
    const result = await adapter.verifyWebhook!({
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      rawBody: Buffer.from(await c.req.arrayBuffer()),
      pathToken: c.req.param("token"),
    });
    const status = result.kind === "rejected" ? result.status : 200;
    received.push({ status, result });
    return c.json({ ok: status === 200 }, status);
  });
  receiver = await serveApp(app);
  sim = await startPayWaySimulator({ webhookUrl: `${receiver.url}/webhooks/payway/${config.webhookToken}` });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

beforeEach(() => {
  received.length = 0;
  Object.assign(sim.webhookFaults, noWebhookFaults());
  Object.assign(sim.style, { fieldTypes: "seed", status: "0", description: "APPROVED" });
});

function observationsReceived(): PaymentObservation[] {
  return received.flatMap((r) => (r.result.kind === "observed" ? r.result.observations : []));
}

describe("PayWay create", () => {
  it("builds a KHQR with ABA's tag-30 layout, our reference in 62.01 and the top-up's expiry", async () => {
    const before = Date.now();
    const order = topUp(1250, "USD");
    const created = await adapter.create(order);
    expect(created.md5).toBe(createHash("md5").update(created.qr!, "utf8").digest("hex"));
    expect(created.md5).toBe(khqrMd5(created.qr!));
    const decoded = decodeKhqr(created.qr!);
    if (!decoded.ok) throw decoded.error;
    const qr = decoded.value;
    expect(qr.account).toEqual({
      kind: "payway",
      bakongAccountId: config.bakongId,
      merchantId: config.merchantId,
      acquiringBank: config.acquiringBank,
      paywayData: config.data,
    });
    expect(qr.pointOfInitiation).toBe("dynamic");
    expect(qr.mcc).toBe("5987");
    expect(qr.amountMinor).toBe(1250);
    expect(qr.currency).toBe("USD");
    expect(qr.merchantName).toBe("SMM TOPUP");
    expect(qr.merchantCity).toBe("Phnom Penh");
    expect(qr.billNumber).toBe(order.reference);
    expect(qr.paywayData).toBe(config.data);
    expect(qr.expiresAt).toBe(order.expiresAt.getTime());
    expect(qr.createdAt).toBeGreaterThanOrEqual(before);
    expect(qr.createdAt).toBeLessThanOrEqual(Date.now());
  });

  it("uses the injected clock for the creation time and encodes riel as whole numbers", async () => {
    const fixed = createPayWayProvider(config, { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh", now: () => 1_759_805_345_337 });
    const order = { ...topUp(40_000, "KHR"), expiresAt: new Date(1_759_805_945_337) };
    const decoded = decodeKhqr((await fixed.create(order)).qr!);
    if (!decoded.ok) throw decoded.error;
    expect(decoded.value.createdAt).toBe(1_759_805_345_337);
    expect(decoded.value.expiresAt).toBe(1_759_805_945_337);
    expect(decoded.value.amountMinor).toBe(40_000);
    expect(decoded.value.currency).toBe("KHR");
  });

  it("declares a webhook-only, unsigned QR provider", () => {
    expect(adapter.capabilities).toMatchObject({ presentation: "qr", statusApi: false, webhook: true, signedWebhook: false });
    expect(adapter.checkStatus).toBeUndefined();
  });
});

describe("PayWay create → pay → webhook", () => {
  it("reports the payment with PayWay's tran_id, the exact amount, currency and our reference", async () => {
    const order = topUp(1250, "USD");
    const created = await adapter.create(order);
    expect(received).toHaveLength(0); // nothing is known before the payment

    const { providerTxnId } = await sim.pay({ reference: order.reference, qr: created.qr });

    expect(providerTxnId).toMatch(/^[1-9]\d{14}$/);
    expect(received.map((r) => r.status)).toEqual([200]);
    expect(observationsReceived()).toEqual([
      expect.objectContaining({
        provider: "payway",
        providerTxnId,
        reference: order.reference,
        amountMinor: 1250,
        currency: "USD",
        payer: "KEO SIDARA *898",
      }),
    ]);
  });

  it("sends every field of the documented notification", async () => {
    const order = topUp(40_000, "KHR");
    const created = await adapter.create(order);
    await sim.pay({ reference: order.reference, qr: created.qr });
    const body = JSON.parse(sim.deliveries.at(-1)!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(Object.keys(SEED_BODY).sort());
    expect(body).toMatchObject({ merchant_ref: order.reference, status: "0", original_amount: 40000, original_currency: "KHR" });
    expect(body.datetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(body.apv).toMatch(/^\d{6}$/);
    expect(body.bank_ref).toMatch(/^\w+$/);
    expect(observationsReceived()[0]).toMatchObject({ amountMinor: 40_000, currency: "KHR", raw: body });
  });

  it("treats each payment of the same QR as its own payment", async () => {
    const order = topUp(500, "USD");
    const created = await adapter.create(order);
    const first = await sim.pay({ reference: order.reference, qr: created.qr });
    const second = await sim.pay({ reference: order.reference, qr: created.qr });
    expect(first.providerTxnId).not.toBe(second.providerTxnId);
    expect(observationsReceived().map((o) => o.providerTxnId)).toEqual([first.providerTxnId, second.providerTxnId]);
    expect(observationsReceived().every((o) => o.amountMinor === 500 && o.reference === order.reference)).toBe(true);
  });

  it("reports what was actually paid when it differs from the order (the ledger compares)", async () => {
    const order = topUp(1000, "USD");
    const created = await adapter.create(order);
    await sim.pay({ reference: order.reference, qr: created.qr, amountMinor: 950 });
    expect(observationsReceived()[0]).toMatchObject({ amountMinor: 950, currency: "USD", reference: order.reference });
  });

  it.each(["strings", "numbers"] as const)("reads a notification whose values are all %s", async (fieldTypes) => {
    sim.style.fieldTypes = fieldTypes;
    const order = topUp(1250, "USD");
    const created = await adapter.create(order);
    const { providerTxnId } = await sim.pay({ reference: order.reference, qr: created.qr });
    const body = JSON.parse(sim.deliveries.at(-1)!.body) as Record<string, unknown>;
    expect(typeof body.tran_id).toBe(fieldTypes === "strings" ? "string" : "number");
    expect(typeof body.original_amount).toBe(fieldTypes === "strings" ? "string" : "number");
    expect(observationsReceived()).toEqual([expect.objectContaining({ providerTxnId, reference: order.reference, amountMinor: 1250, currency: "USD" })]);
  });

  it("an unknown status for our reference is no payment, and carries one note for the admins", async () => {
    Object.assign(sim.style, { status: "7", description: "SETTLEMENT PENDING" });
    const order = topUp(500, "USD");
    const created = await adapter.create(order);
    await sim.pay({ reference: order.reference, qr: created.qr });
    expect(received.map((r) => r.status)).toEqual([200]);
    expect(received[0]!.result).toMatchObject({ kind: "ignored", adminNote: { reference: order.reference, detail: expect.stringMatching(/status "7" \(SETTLEMENT PENDING\)/) } });
    expect(observationsReceived()).toHaveLength(0);
  });

  it("pays through POST /_control/pay", async () => {
    const order = topUp(1050, "USD");
    const created = await adapter.create(order);
    const res = await fetch(`${sim.url}/_control/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reference: order.reference, qr: created.qr }),
    });
    expect(res.status).toBe(200);
    const { providerTxnId } = (await res.json()) as { providerTxnId: string };
    expect(observationsReceived()).toEqual([expect.objectContaining({ providerTxnId, amountMinor: 1050 })]);
  });

  it("refuses to pay an expired or invalid QR", async () => {
    const expired = topUp(100, "USD");
    const past = createPayWayProvider(config, { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh", now: () => Date.now() - 11 * 60_000 });
    const created = await past.create({ ...expired, expiresAt: new Date(Date.now() - 60_000) });
    await expect(sim.pay({ reference: expired.reference, qr: created.qr })).rejects.toThrow(/expired/i);
    await expect(sim.pay({ reference: "x", qr: created.qr!.slice(0, -4) + "0000" })).rejects.toThrow(/valid KHQR/);
    expect(received).toHaveLength(0);
  });
});

describe("PayWay webhook faults in the simulator", () => {
  it("drop: the payment happens, no notification arrives", async () => {
    sim.webhookFaults.mode = "drop";
    const order = topUp(100, "USD");
    const created = await adapter.create(order);
    await sim.pay({ reference: order.reference, qr: created.qr });
    expect(received).toHaveLength(0);
  });

  it("duplicate: the same notification twice gives the same observation twice", async () => {
    sim.webhookFaults.mode = "duplicate";
    const order = topUp(100, "USD");
    const created = await adapter.create(order);
    const { providerTxnId } = await sim.pay({ reference: order.reference, qr: created.qr });
    const [a, b] = observationsReceived();
    expect(a).toEqual(b);
    expect(a!.providerTxnId).toBe(providerTxnId);
  });

  it("bad_signature: a post to a wrong token path is answered 404", async () => {
    sim.webhookFaults.mode = "bad_signature";
    const order = topUp(100, "USD");
    const created = await adapter.create(order);
    await sim.pay({ reference: order.reference, qr: created.qr });
    expect(received.map((r) => r.status)).toEqual([404]);
    expect(observationsReceived()).toHaveLength(0);
    expect(sim.deliveries.at(-1)!.url).not.toContain(config.webhookToken);
  });

  it("delay: the notification arrives after the delay", async () => {
    sim.webhookFaults.delayMs = 150;
    const order = topUp(100, "USD");
    const created = await adapter.create(order);
    const started = Date.now();
    await sim.pay({ reference: order.reference, qr: created.qr });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(observationsReceived()).toHaveLength(1);
  });
});

describe("PayWay verifyWebhook", () => {
  const request = (body: unknown, over: Partial<WebhookRequest> = {}): WebhookRequest => ({
    headers: { "content-type": "application/json" },
    rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    pathToken: config.webhookToken,
    ...over,
  });
  const without = (field: string) => Object.fromEntries(Object.entries(SEED_BODY).filter(([k]) => k !== field));

  it("accepts the seed's sample notification", async () => {
    const result = await adapter.verifyWebhook!(request(SEED_BODY));
    expect(result).toEqual({
      kind: "observed",
      observations: [
        {
          provider: "payway",
          providerTxnId: "175980853350227",
          reference: "25100712345678",
          amountMinor: 100,
          currency: "KHR",
          payer: "KEO SIDARA *898",
          raw: SEED_BODY,
        },
      ],
    });
  });

  it("accepts a charset in the content type and USD amounts such as 12.5 and 5", async () => {
    const usd = { ...SEED_BODY, original_currency: "USD" };
    const headers = { "Content-Type": "application/json; charset=utf-8" };
    for (const [amount, minor] of [[12.5, 1250], [5, 500], [0.01, 1]] as const) {
      const result = await adapter.verifyWebhook!(request({ ...usd, original_amount: amount }, { headers }));
      expect(result).toMatchObject({ kind: "observed", observations: [{ amountMinor: minor, currency: "USD" }] });
    }
  });

  it("reads the exact JSON number text 12.50 as 1250 cents", async () => {
    const text = JSON.stringify({ ...SEED_BODY, original_currency: "USD" }).replace('"original_amount":100', '"original_amount":12.50');
    expect(await adapter.verifyWebhook!(request(text))).toMatchObject({ kind: "observed", observations: [{ amountMinor: 1250 }] });
  });

  it.each([
    ["every value a string", { tran_id: "175980853350227", original_amount: "100", payment_amount: "100.0" }],
    ["every value a number", { tran_id: 175980853350227, original_amount: 100, payment_amount: 100.0 }],
    ["status as the number 0", { status: 0 }],
    ["merchant_ref as a number", { merchant_ref: 25100712345678 }],
  ])("takes tran_id, original_amount and payment_amount as numbers or strings: %s", async (_name, change) => {
    expect(await adapter.verifyWebhook!(request({ ...SEED_BODY, ...change }))).toMatchObject({
      kind: "observed",
      observations: [{ providerTxnId: "175980853350227", reference: "25100712345678", amountMinor: 100, currency: "KHR" }],
    });
  });

  it("an amount or currency other than the order's is still an observation: the ledger holds it", async () => {
    expect(await adapter.verifyWebhook!(request({ ...SEED_BODY, original_amount: "4.50", original_currency: "USD" }))).toMatchObject({
      kind: "observed",
      observations: [{ amountMinor: 450, currency: "USD", reference: "25100712345678" }],
    });
  });

  it("masks a full payer account number", async () => {
    const result = await adapter.verifyWebhook!(request({ ...SEED_BODY, payer_account: "000123456" }));
    expect(result).toMatchObject({ kind: "observed", observations: [{ payer: "KEO SIDARA *456" }] });
  });

  const table: { name: string; req: () => WebhookRequest; expected: Partial<WebhookResult> }[] = [
    { name: "wrong path token", req: () => request(SEED_BODY, { pathToken: "x".repeat(config.webhookToken.length) }), expected: { kind: "rejected", status: 404 } },
    { name: "shorter path token", req: () => request(SEED_BODY, { pathToken: config.webhookToken.slice(1) }), expected: { kind: "rejected", status: 404 } },
    { name: "no path token", req: () => request(SEED_BODY, { pathToken: undefined }), expected: { kind: "rejected", status: 404 } },
    { name: "wrong token even with a bad body", req: () => request("{", { pathToken: "nope" }), expected: { kind: "rejected", status: 404 } },
    { name: "malformed JSON", req: () => request('{"tran_id":'), expected: { kind: "rejected", status: 400 } },
    { name: "empty body", req: () => request(""), expected: { kind: "rejected", status: 400 } },
    { name: "JSON that is not an object", req: () => request("[1,2]"), expected: { kind: "rejected", status: 400 } },
    { name: "wrong content type", req: () => request(SEED_BODY, { headers: { "content-type": "application/x-www-form-urlencoded" } }), expected: { kind: "rejected", status: 415 } },
    { name: "missing content type", req: () => request(SEED_BODY, { headers: {} }), expected: { kind: "rejected", status: 415 } },
    { name: "missing merchant_ref", req: () => request(without("merchant_ref")), expected: { kind: "rejected", status: 404 } },
    { name: "the seed's merchant_ref, not a reference of ours", req: () => request({ ...SEED_BODY, merchant_ref: "MC-REF-KH-15000" }), expected: { kind: "rejected", status: 404 } },
    { name: "a status other than 0 on a merchant_ref not ours", req: () => request({ ...SEED_BODY, merchant_ref: "nope", status: "1" }), expected: { kind: "rejected", status: 404 } },
    { name: "status 1 (not paid): the admins are told", req: () => request({ ...SEED_BODY, status: "1", description: "DECLINED" }), expected: { kind: "ignored", adminNote: { reference: "25100712345678", detail: expect.stringMatching(/status "1" \(DECLINED\)/) } } },
    { name: "status 2: the admins are told", req: () => request({ ...SEED_BODY, status: "2" }), expected: { kind: "ignored", adminNote: { reference: "25100712345678", detail: expect.stringMatching(/status "2"/) } } },
    { name: "status as the number 3: the admins are told", req: () => request({ ...SEED_BODY, status: 3 }), expected: { kind: "ignored", adminNote: { reference: "25100712345678", detail: expect.stringMatching(/status "3"/) } } },
  ];

  for (const { name, req, expected } of table) {
    it(`${name} → ${expected.kind} ${"status" in expected ? expected.status : ""}`, async () => {
      const result = await adapter.verifyWebhook!(req());
      expect(result).toMatchObject(expected);
    });
  }

  // Ours (the path token and one of our references): recorded, held for an admin with the reason, never refused.
  const ORDER_KEY = "order:25100712345678";
  const held: [string, () => WebhookRequest, { providerTxnId?: string; amountMinor: number; currency: string }, RegExp][] = [
    ["missing tran_id", () => request(without("tran_id")), { providerTxnId: ORDER_KEY, amountMinor: 100, currency: "KHR" }, /tran_id missing is not a transaction id/],
    ["empty tran_id", () => request({ ...SEED_BODY, tran_id: "" }), { providerTxnId: ORDER_KEY, amountMinor: 100, currency: "KHR" }, /tran_id ""/],
    ["tran_id with letters", () => request({ ...SEED_BODY, tran_id: "17598A" }), { providerTxnId: ORDER_KEY, amountMinor: 100, currency: "KHR" }, /tran_id "17598A"/],
    ["tran_id as a fraction", () => request({ ...SEED_BODY, tran_id: 1759.5 }), { providerTxnId: ORDER_KEY, amountMinor: 100, currency: "KHR" }, /tran_id 1759.5/],
    ["tran_id beyond a safe integer", () => request('{"tran_id":175980853350227123,' + JSON.stringify(SEED_BODY).slice(1).replace(/"tran_id":"\d+",/, "")), { providerTxnId: ORDER_KEY, amountMinor: 100, currency: "KHR" }, /tran_id 1759808533502271\d\d is not/],
    ["missing status", () => request(without("status")), { amountMinor: 100, currency: "KHR" }, /status missing/],
    ["status an object", () => request({ ...SEED_BODY, status: { code: 0 } }), { amountMinor: 100, currency: "KHR" }, /status \{"code":0\}/],
    ["missing original_amount", () => request(without("original_amount")), { amountMinor: 0, currency: "KHR" }, /no amount is not a plain, exact KHR amount/],
    ["missing original_currency", () => request(without("original_currency")), { amountMinor: 0, currency: "USD" }, /original_currency missing is neither USD nor KHR \(original_amount 100\)/],
    ["unknown currency", () => request({ ...SEED_BODY, original_currency: "EUR" }), { amountMinor: 0, currency: "USD" }, /original_currency "EUR" is neither USD nor KHR/],
    ["riel with decimals", () => request({ ...SEED_BODY, original_amount: 100.5 }), { amountMinor: 100, currency: "KHR" }, /the amount 100.5 is not a plain, exact KHR amount/],
    ["dollars with three decimals", () => request({ ...SEED_BODY, original_currency: "USD", original_amount: 10.555 }), { amountMinor: 1055, currency: "USD" }, /the amount 10.555/],
    ["amount in exponent form", () => request({ ...SEED_BODY, original_amount: "1e2" }), { amountMinor: 0, currency: "KHR" }, /the amount "1e2"/],
    ["amount with a leading zero", () => request({ ...SEED_BODY, original_amount: "0100" }), { amountMinor: 100, currency: "KHR" }, /the amount "0100"/],
    ["negative amount", () => request({ ...SEED_BODY, original_amount: -100 }), { amountMinor: 0, currency: "KHR" }, /the amount -100/],
    ["payment_amount malformed", () => request({ ...SEED_BODY, payment_amount: "1,00" }), { amountMinor: 100, currency: "KHR" }, /payment_amount "1,00"/],
    ["payer_name a number", () => request({ ...SEED_BODY, payer_name: 5 }), { amountMinor: 100, currency: "KHR" }, /payer_name 5/],
  ];

  it.each(held)("%s: observed and held with its reason", async (_name, req, booked, why) => {
    const result = await adapter.verifyWebhook!(req());
    expect(result).toMatchObject({ kind: "observed", observations: [{ provider: "payway", reference: "25100712345678", ...booked }] });
    const holdReason = result.kind === "observed" ? result.observations[0]!.holdReason : undefined;
    expect(holdReason).toMatch(/^PayWay sent a notification in an unexpected format: /);
    expect(holdReason).toMatch(why);
  });

  it("null in an optional field is an absent field, not an oddity", async () => {
    const result = await adapter.verifyWebhook!(request({ ...SEED_BODY, payer_account: null, bank_ref: null, payment_amount: null }));
    expect(result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: "175980853350227", amountMinor: 100, payer: "KEO SIDARA" }] });
    expect(result.kind === "observed" && result.observations[0]!.holdReason).toBeUndefined();
  });

  it("verifies a repeat delivery identically (the ledger de-duplicates by tran_id)", async () => {
    const first = await adapter.verifyWebhook!(request(SEED_BODY));
    const second = await adapter.verifyWebhook!(request(SEED_BODY));
    expect(second).toEqual(first);
    expect(first.kind).toBe("observed");
  });
});
