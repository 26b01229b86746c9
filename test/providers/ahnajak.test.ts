import { createHash, createHmac } from "node:crypto";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../src/http/outbound.js";
import { validateKhqr } from "../../src/khqr/index.js";
import type { Currency } from "../../src/money/money.js";
import { ProviderError, type PaymentProvider, type TopUpRef, type WebhookResult } from "../../src/payments/provider.js";
import { createAhnajakProvider, remarkFor } from "../../src/payments/providers/ahnajak/ahnajak.js";
import { webhookFieldNames } from "../../src/payments/providers/ahnajak/ahnajak-api.js";
import { checkoutRequestHash, webhookPayloadHash, webhookSignature } from "../../src/payments/providers/ahnajak/ahnajak-signing.js";
import { constantTimeEqual } from "../../src/payments/providers/constant-time.js";
import { startAhnajakSimulator, type AhnajakSimulator } from "../../sandbox/providers/ahnajak-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const PROFILE_ID = "ahnajak-profile-7";
const SECRET = "ahnajak-secret-for-tests";
const TEMPLATE = { order_id: "{{transaction_id}}", paid_amount: "{{amount}}", payment_status: "{{status}}", signature: "{{hash}}", source: "ahnajak" };
const log = pino({ level: "silent" });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface Received {
  headers: Record<string, string>;
  rawBody: Buffer;
  result: WebhookResult;
}

let sim: AhnajakSimulator;
let receiver: RunningServer;
let adapter: PaymentProvider;
/** The adapter the webhook receiver verifies with (the template tests swap it). */
let receiving: PaymentProvider;
const received: Received[] = [];
let seq = 0;

const adapterWith = (payloadTemplate?: Record<string, string>) =>
  createAhnajakProvider({ baseUrl: sim.url, profileId: PROFILE_ID, secretKey: SECRET, payloadTemplate }, { log });

function topUp(amountMinor: number, currency: Currency = "USD", reference = String(26_010_100_000_000 + ++seq)): TopUpRef {
  const createdAt = new Date();
  return { reference, amountMinor, currency, panelLogin: "alice", createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) };
}

async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

beforeAll(async () => {
  sim = await startAhnajakSimulator({ profileId: PROFILE_ID, secretKey: SECRET, merchantName: "Test Shop" });
  adapter = adapterWith();
  receiving = adapter;
  const app = new Hono();
  app.post("/webhooks/ahnajak", async (c) => {
    const rawBody = Buffer.from(await c.req.arrayBuffer());
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    const result = await receiving.verifyWebhook!({ headers, rawBody });
    received.push({ headers, rawBody, result });
    return result.kind === "rejected" ? c.json({ error: result.reason }, result.status) : c.json({ received: true });
  });
  receiver = await serveApp(app);
  sim.setWebhookUrl(`${receiver.url}/webhooks/ahnajak`);
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

afterEach(() => {
  Object.assign(sim.apiFaults, { mode: "none", remaining: 0, delayMs: 0 });
  Object.assign(sim.webhookFaults, { mode: "none", delayMs: 0 });
  sim.badSignatureKind = "header";
  sim.payloadTemplate = undefined;
  sim.webhookAmountAs = "string";
  receiving = adapter;
  received.length = 0;
});

describe("Ahnajak signing (seed 000 formulas, worked by hand)", () => {
  it("checkout hash = sha256(profile_id + transaction_id + amount + secret_key)", () => {
    expect(checkoutRequestHash("PROFILE1", "ORDER_1", "12.50", "SECRET")).toBe(sha256("PROFILE1" + "ORDER_1" + "12.50" + "SECRET"));
    expect(checkoutRequestHash("PROFILE1", "ORDER_1", "12.50", "SECRET")).toBe("cbd3fe3701b2738d62d40aca8efeaa84f47e3b3d77450fe57cfc9ee8c6b395d4");
    expect(checkoutRequestHash("PROFILE1", "26010100000001", "5.00", "SECRET")).toBe("5eb9779172718a07d25129b50d43673057b0a83eb3ed5e0e1df58bcfce65fbe7");
    expect(checkoutRequestHash("PROFILE1", "26010100000001", "5", "SECRET")).not.toBe("5eb9779172718a07d25129b50d43673057b0a83eb3ed5e0e1df58bcfce65fbe7");
  });

  it("payload hash = sha256(transaction_id + amount + secret_key)", () => {
    expect(webhookPayloadHash("ORDER_1", "12.50", "SECRET")).toBe("405a84477adb22b9c22a319214868480948edc41922b7c14dc84313d5fdf5c21");
    expect(webhookPayloadHash("ORDER_1", "12.50", "SECRET")).toBe(sha256("ORDER_1" + "12.50" + "SECRET"));
  });

  it("header signature = hex hmac-sha256(secret_key, body bytes)", () => {
    const body = '{"transaction_id":"ORDER_1","amount":"12.50","status":"SUCCESS","hash":"x"}';
    expect(webhookSignature("SECRET", body)).toBe("a911e73a3daf4fe2ebabe3e54757285b605a76e34a0cfa74aea101ba17b881b8");
    expect(webhookSignature("SECRET", Buffer.from(body))).toBe(createHmac("sha256", "SECRET").update(body).digest("hex"));
  });

  it("compares in constant time and never matches texts of different length", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
  });

  it("maps a custom payload template back to the variables, defaults elsewhere", () => {
    expect(webhookFieldNames(undefined)).toEqual({ transaction_id: "transaction_id", amount: "amount", status: "status", hash: "hash" });
    expect(webhookFieldNames(TEMPLATE)).toEqual({ transaction_id: "order_id", amount: "paid_amount", status: "payment_status", hash: "signature" });
    expect(webhookFieldNames({ ref: "{{ transaction_id }}" })).toEqual({ transaction_id: "ref", amount: "amount", status: "status", hash: "hash" });
  });

  it("keeps the remark short and ASCII-safe", () => {
    expect(remarkFor("alice")).toBe("topup alice");
    expect(remarkFor("a b&c")).toBe("topup abc");
  });
});

describe("Ahnajak checkout link", () => {
  it("declares a checkout provider without a status API", () => {
    expect(adapter.capabilities).toMatchObject({ presentation: "checkout", statusApi: false, webhook: true, signedWebhook: true });
    expect(adapter.checkStatus).toBeUndefined();
    expect(adapter.cancel).toBeUndefined();
  });

  it("signs exactly the amount string it sends", async () => {
    const t = topUp(1250);
    const { checkoutUrl, qr } = await adapter.create(t);
    expect(qr).toBeUndefined();
    const url = new URL(checkoutUrl!);
    expect(url.origin + url.pathname).toBe(`${sim.url}/api/payment/requestv2/${PROFILE_ID}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      transaction_id: t.reference,
      amount: "12.50",
      remark: "topup alice",
      hash: sha256(PROFILE_ID + t.reference + "12.50" + SECRET),
    });
  });

  it.each([
    [topUp(40_000, "KHR"), /Ahnajak accepts USD only/],
    [topUp(0), /at least 0.01/],
    [topUp(500, "USD", "has space"), /transaction id/],
  ])("refuses what Ahnajak cannot take (%#)", async (t, message) => {
    const err = await providerError(adapter.create(t));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(message);
  });

  it("the link redirects to the hosted page, which shows a KHQR for the amount", async () => {
    const t = topUp(1250);
    const { checkoutUrl } = await adapter.create(t);
    const first = await send(checkoutUrl!, { method: "GET" });
    expect(first.status).toBe(302);
    const location = String(first.headers.location);
    expect(location).toMatch(/^\/payment\/khqrcc\/[0-9a-f]+$/);
    expect(String((await send(checkoutUrl!, { method: "GET" })).headers.location)).toBe(location);
    const page = await send(sim.url + location, { method: "GET" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("12.50 USD");
    expect(page.text).toContain("<svg");
    const qr = /<code id="khqr">([^<]+)<\/code>/.exec(page.text)?.[1];
    const valid = validateKhqr(qr ?? "");
    expect(valid.ok).toBe(true);
    if (valid.ok) {
      expect(valid.value).toMatchObject({ amountMinor: 1250, currency: "USD", billNumber: t.reference, merchantName: "Test Shop" });
      expect(valid.value.account.kind).toBe("individual");
    }
  });

  it("a tampered link is refused with 403, as a page or as JSON", async () => {
    const { checkoutUrl } = await adapter.create(topUp(1250));
    const tampered = checkoutUrl!.replace("amount=12.50", "amount=1.25");
    const page = await send(tampered, { method: "GET" });
    expect(page.status).toBe(403);
    expect(page.text).toContain("Invalid hash");
    const json = await send(tampered, { method: "GET", headers: { accept: "application/json" } });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.text)).toEqual({ status: "error", message: "Invalid hash" });
    const otherProfile = await send(checkoutUrl!.replace(PROFILE_ID, "someone"), { method: "GET" });
    expect(otherProfile.status).toBe(404);
  });

  it("a merchant-account simulator shows a tag-30 KHQR", async () => {
    const merchant = await startAhnajakSimulator({ profileId: PROFILE_ID, secretKey: SECRET, account: "merchant" });
    const { checkoutUrl } = await createAhnajakProvider({ baseUrl: merchant.url, profileId: PROFILE_ID, secretKey: SECRET }, { log }).create(topUp(500));
    const redirect = await send(checkoutUrl!, { method: "GET" });
    const page = await send(merchant.url + String(redirect.headers.location), { method: "GET" });
    const valid = validateKhqr(/<code id="khqr">([^<]+)<\/code>/.exec(page.text)?.[1] ?? "");
    expect(valid.ok && valid.value.account.kind).toBe("merchant");
    await merchant.close();
  });

  it.each([
    ["http500", 500],
    ["http429", 429],
  ] as const)("the checkout endpoint honours the %s fault", async (mode, status) => {
    Object.assign(sim.apiFaults, { mode, remaining: 1 });
    const { checkoutUrl } = await adapter.create(topUp(500));
    const res = await send(checkoutUrl!, { method: "GET" });
    expect(res.status).toBe(status);
    if (status === 429) expect(res.headers["retry-after"]).toBe("2");
  });
});

describe("Ahnajak confirmation by webhook", () => {
  it("paying the checkout yields one observation keyed by our transaction_id", async () => {
    const t = topUp(1250);
    const { checkoutUrl } = await adapter.create(t);
    const { providerTxnId } = await sim.pay({ reference: t.reference, checkoutUrl });
    expect(providerTxnId).toBe(t.reference);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(received[0]!.result).toEqual({
      kind: "observed",
      observations: [{
        provider: "ahnajak",
        providerTxnId: t.reference,
        reference: t.reference,
        amountMinor: 1250,
        currency: "USD",
        raw: { transaction_id: t.reference, amount: "12.50", status: "SUCCESS", hash: sha256(t.reference + "12.50" + SECRET) },
      }],
    });
    expect(sim.deliveries.at(-1)?.status).toBe(200);
    await expect(sim.pay({ reference: t.reference, checkoutUrl })).rejects.toThrow(/already paid/);
  });

  it("a payment of another amount is reported with the amount actually paid", async () => {
    const t = topUp(1000);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl, amountMinor: 999 });
    expect(received[0]?.result).toMatchObject({ kind: "observed", observations: [{ amountMinor: 999, currency: "USD" }] });
  });

  it.each([
    ["number", "12.50"],
    ["number_hashed_short", "12.5"],
  ] as const)("an amount sent as a JSON number (%s) verifies when hashed as %s", async (mode, hashedAs) => {
    sim.webhookAmountAs = mode;
    const t = topUp(1250);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    const body = JSON.parse(received[0]!.rawBody.toString()) as Record<string, unknown>;
    expect(body.amount).toBe(12.5);
    expect(body.hash).toBe(sha256(t.reference + hashedAs + SECRET));
    expect(received[0]!.result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: t.reference, reference: t.reference, amountMinor: 1250, currency: "USD" }] });
  });

  it("a whole-dollar JSON number verifies as \"5.00\" or \"5\"", async () => {
    for (const mode of ["number", "number_hashed_short"] as const) {
      sim.webhookAmountAs = mode;
      const t = topUp(500);
      const { checkoutUrl } = await adapter.create(t);
      await sim.pay({ reference: t.reference, checkoutUrl });
    }
    expect(received.map((r) => r.result)).toMatchObject([
      { kind: "observed", observations: [{ amountMinor: 500 }] },
      { kind: "observed", observations: [{ amountMinor: 500 }] },
    ]);
  });

  it("honours the custom payload template on both sides", async () => {
    sim.payloadTemplate = TEMPLATE;
    receiving = adapterWith(TEMPLATE);
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    const body = JSON.parse(received[0]!.rawBody.toString()) as Record<string, string>;
    expect(body).toEqual({ order_id: t.reference, paid_amount: "5.00", payment_status: "SUCCESS", signature: sha256(t.reference + "5.00" + SECRET), source: "ahnajak" });
    expect(received[0]!.result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: t.reference, amountMinor: 500 }] });
  });

  it("a template body read without the template is signed, so kept (under the body's digest) and held with its reason", async () => {
    sim.payloadTemplate = TEMPLATE;
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    const body = received[0]!.rawBody;
    expect(received[0]!.result).toMatchObject({
      kind: "observed",
      observations: [{ providerTxnId: `body:${createHash("sha256").update(body).digest("hex")}`, amountMinor: 0, holdReason: expect.stringMatching(/unexpected format: transaction_id missing; status missing; hash missing/) }],
    });
  });

  it("a duplicated webhook verifies twice, identically (the ledger de-duplicates)", async () => {
    sim.webhookFaults.mode = "duplicate";
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    expect(received).toHaveLength(2);
    expect(received[0]!.result.kind).toBe("observed");
    expect(received[1]!.result).toEqual(received[0]!.result);
  });

  it("a dropped webhook leaves nothing (there is no status API to fall back on)", async () => {
    sim.webhookFaults.mode = "drop";
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    expect(received).toHaveLength(0);
    expect(sim.session(t.reference)?.paid?.amountMinor).toBe(500);
  });

  it("the simulator's bad_signature fault on the header is rejected with 403", async () => {
    sim.webhookFaults.mode = "bad_signature";
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    expect(received[0]?.result).toMatchObject({ kind: "rejected", status: 403 });
  });

  it("a wrong payload hash under a valid header signature is signed: observed and held", async () => {
    sim.webhookFaults.mode = "bad_signature";
    sim.badSignatureKind = "payload_hash";
    const t = topUp(500);
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference: t.reference, checkoutUrl });
    expect(received[0]?.result).toMatchObject({ kind: "observed", observations: [{ reference: t.reference, amountMinor: 500, holdReason: expect.stringMatching(/the payload hash does not match transaction_id and amount/) }] });
  });

  it("the sandbox control endpoint pays a session opened in the browser", async () => {
    const t = topUp(300);
    const { checkoutUrl } = await adapter.create(t);
    await send(checkoutUrl!, { method: "GET" });
    const res = await send(`${sim.url}/_control/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: t.reference }) });
    expect(res.status).toBe(200);
    expect(received[0]?.result.kind).toBe("observed");
    const unknown = await send(`${sim.url}/_control/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: "nothing" }) });
    expect(unknown.status).toBe(409);
  });
});

describe("Ahnajak webhook verification", () => {
  let genuine: Received;
  let reference: string;

  beforeAll(async () => {
    const t = topUp(1250);
    reference = t.reference;
    const { checkoutUrl } = await adapter.create(t);
    await sim.pay({ reference, checkoutUrl });
    genuine = received[0]!;
  });

  const payload = () => JSON.parse(genuine.rawBody.toString()) as Record<string, unknown>;
  /** Headers carrying a correct HMAC for `body`: reaches the checks behind the header signature. */
  const signed = (body: string, extra: Record<string, string | undefined> = {}) => {
    const h: Record<string, string> = { "content-type": "application/json", "x-ahnajak-signature": webhookSignature(SECRET, body) };
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete h[k];
    else h[k] = v;
    return h;
  };
  const withHash = (p: Record<string, unknown>) => JSON.stringify({ ...p, hash: webhookPayloadHash(String(p.transaction_id), String(p.amount), SECRET) });

  it("the genuine delivery is observed", () => {
    expect(genuine.result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: reference, amountMinor: 1250, currency: "USD" }] });
    expect(genuine.headers["x-ahnajak-signature"]).toBe(webhookSignature(SECRET, genuine.rawBody));
  });

  const bad: [string, () => [Record<string, string>, string | Buffer], WebhookResult["kind"], number?][] = [
    ["missing signature header", () => [signed(genuine.rawBody.toString(), { "x-ahnajak-signature": undefined }), genuine.rawBody], "rejected", 401],
    ["wrong signature", () => [signed(genuine.rawBody.toString(), { "x-ahnajak-signature": webhookSignature("other-secret", genuine.rawBody) }), genuine.rawBody], "rejected", 403],
    ["altered amount, old signature", () => [genuine.headers, JSON.stringify({ ...payload(), amount: "125.00" })], "rejected", 403],
    ["altered transaction id, old signature", () => [genuine.headers, JSON.stringify({ ...payload(), transaction_id: "26019999999999" })], "rejected", 403],
    ["one extra byte", () => [genuine.headers, Buffer.concat([genuine.rawBody, Buffer.from(" ")])], "rejected", 403],
    ["a status other than SUCCESS, correctly hashed and signed", () => {
      const body = withHash({ ...payload(), status: "PENDING" });
      return [signed(body), body];
    }, "ignored"],
  ];

  it.each(bad)("%s", async (_name, make, kind, status) => {
    const [headers, body] = make();
    const result = await adapter.verifyWebhook!({ headers, rawBody: typeof body === "string" ? Buffer.from(body) : body });
    expect(result.kind).toBe(kind);
    if (status !== undefined) expect(result).toMatchObject({ status });
    if (kind === "ignored") expect(result).toMatchObject({ adminNote: { reference, detail: expect.stringMatching(/Ahnajak/) } });
  });

  // The header signature covers every byte: whatever such a body says is kept, held for an admin when odd.
  const digestKey = (body: string) => `body:${sha256(body)}`;
  const odd: [string, () => string, (body: string) => { providerTxnId: string; amountMinor: number }, RegExp | undefined][] = [
    ["altered amount, re-signed header but old payload hash", () => JSON.stringify({ ...payload(), amount: "125.00" }), () => ({ providerTxnId: reference, amountMinor: 12_500 }), /the payload hash does not match/],
    ["altered transaction id, re-signed header but old payload hash", () => JSON.stringify({ ...payload(), transaction_id: "26019999999999" }), () => ({ providerTxnId: "26019999999999", amountMinor: 1250 }), /the payload hash does not match/],
    ["malformed JSON, signed", () => "{not json", (b) => ({ providerTxnId: digestKey(b), amountMinor: 0 }), /the body is not a JSON object/],
    ["empty body, signed", () => "", (b) => ({ providerTxnId: digestKey(b), amountMinor: 0 }), /the body is not a JSON object/],
    ["missing hash field, signed", () => JSON.stringify({ ...payload(), hash: undefined }), () => ({ providerTxnId: reference, amountMinor: 1250 }), /hash missing is not a SHA-256 payload hash/],
    ["missing status, correctly hashed and signed", () => withHash({ ...payload(), status: undefined }), () => ({ providerTxnId: reference, amountMinor: 1250 }), /status missing/],
    ["three decimals, correctly hashed and signed", () => withHash({ ...payload(), amount: "12.505" }), () => ({ providerTxnId: reference, amountMinor: 1250 }), /the amount "12.505" is not a plain, exact USD amount/],
    ["an amount in exponent form, correctly hashed and signed", () => withHash({ ...payload(), amount: "1.25e1" }), () => ({ providerTxnId: reference, amountMinor: 0 }), /the amount "1.25e1"/],
    ["an amount with a leading zero, correctly hashed and signed", () => withHash({ ...payload(), amount: "012.50" }), () => ({ providerTxnId: reference, amountMinor: 1250 }), /the amount "012.50"/],
    ["a JSON number with three decimals, signed", () => JSON.stringify({ ...payload(), amount: 12.505, hash: webhookPayloadHash(reference, "12.505", SECRET) }), () => ({ providerTxnId: reference, amountMinor: 1250 }), /the amount "12.505"/],
    ["an amount beyond any top-up, correctly hashed and signed", () => withHash({ ...payload(), amount: "99999999999999999.00" }), () => ({ providerTxnId: reference, amountMinor: 0 }), /the amount "99999999999999999.00"/],
    ["a transaction_id that is not our reference, correctly hashed and signed (the ledger keeps it as an orphan)", () => withHash({ ...payload(), transaction_id: "ORDER_1" }), () => ({ providerTxnId: "ORDER_1", amountMinor: 1250 }), undefined],
    ["a body re-cut (last transaction_id digit moved into the amount) and signed: one payment of another id", () => {
      const p = payload();
      const id = String(p.transaction_id);
      return JSON.stringify({ ...p, transaction_id: id.slice(0, -1), amount: id.slice(-1) + String(p.amount) });
    }, () => ({ providerTxnId: reference.slice(0, -1), amountMinor: Number(`${reference.slice(-1)}1250`) }), undefined],
    ["a wrong content type: the body is what is signed", () => genuine.rawBody.toString(), () => ({ providerTxnId: reference, amountMinor: 1250 }), undefined],
  ];

  it.each(odd)("%s: observed", async (name, make, booked, why) => {
    const body = make();
    const headers = signed(body, name.includes("content type") ? { "content-type": "text/plain" } : {});
    const result = await adapter.verifyWebhook!({ headers, rawBody: Buffer.from(body) });
    expect(result).toMatchObject({ kind: "observed", observations: [{ provider: "ahnajak", currency: "USD", ...booked(body) }] });
    const holdReason = result.kind === "observed" ? result.observations[0]!.holdReason : undefined;
    if (why === undefined) expect(holdReason).toBeUndefined();
    else {
      expect(holdReason).toMatch(/^Ahnajak sent a signed notification in an unexpected format: /);
      expect(holdReason).toMatch(why);
    }
  });

  it("a repeat delivery verifies again identically", async () => {
    expect(await adapter.verifyWebhook!({ headers: genuine.headers, rawBody: genuine.rawBody })).toEqual(genuine.result);
  });

  it("accepts header names in any case and an upper-case hex signature", async () => {
    const headers = { "Content-Type": "application/json; charset=utf-8", "X-Ahnajak-Signature": genuine.headers["x-ahnajak-signature"]!.toUpperCase() };
    expect(await adapter.verifyWebhook!({ headers, rawBody: genuine.rawBody })).toEqual(genuine.result);
  });
});
