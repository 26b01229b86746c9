import { createHash } from "node:crypto";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../src/http/outbound.js";
import { retryAfterMs } from "../../src/http/retry-after.js";
import { khqrMd5, validateKhqr, encodeKhqr } from "../../src/khqr/index.js";
import type { Currency } from "../../src/money/money.js";
import { ProviderError, type PaymentProvider, type TopUpRef, type WebhookResult } from "../../src/payments/provider.js";
import { POLL_GRACE_MS, createRaksmeyPayProvider, remarkFor } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { QR_API_REFUSALS } from "../../src/payments/providers/raksmeypay/raksmeypay-api.js";
import { qrRequestHash, verifyRequestHash, webhookHash } from "../../src/payments/providers/raksmeypay/raksmeypay-signing.js";
import { constantTimeEqual } from "../../src/payments/providers/constant-time.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const PROFILE_ID = "9a0b977717b87db68d46a479be987745";
const PROFILE_KEY = "profile-key-for-tests";
const API_KEY = "webhook-api-key-for-tests";
const log = pino({ level: "silent" });
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface Received {
  headers: Record<string, string>;
  rawBody: Buffer;
  result: WebhookResult;
}

let sim: RaksmeyPaySimulator;
let receiver: RunningServer;
let adapter: PaymentProvider;
const received: Received[] = [];
let seq = 0;

/** Polls record at once here (pollGraceMs 0); the grace itself has its own test. */
function adapterWith(overrides: { profileId?: string; profileKey?: string; baseUrl?: string; pollGraceMs?: number; now?: () => number } = {}): PaymentProvider {
  return createRaksmeyPayProvider(
    { baseUrl: overrides.baseUrl ?? sim.url, profileId: overrides.profileId ?? PROFILE_ID, profileKey: overrides.profileKey ?? PROFILE_KEY, webhookApiKey: API_KEY, qrTemplate: 2 },
    { log, timeoutMs: 400, pollGraceMs: overrides.pollGraceMs ?? 0, ...(overrides.now ? { now: overrides.now } : {}) },
  );
}

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
  sim = await startRaksmeyPaySimulator({ profileId: PROFILE_ID, profileKey: PROFILE_KEY, webhookApiKey: API_KEY, merchantName: "Test Shop" });
  adapter = adapterWith();
  const app = new Hono();
  app.post("/webhooks/raksmeypay", async (c) => {
    const rawBody = Buffer.from(await c.req.arrayBuffer());
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    const result = await adapter.verifyWebhook!({ headers, rawBody });
    received.push({ headers, rawBody, result });
    return result.kind === "rejected" ? c.json({ error: result.reason }, result.status) : c.json({ status: "ok" });
  });
  receiver = await serveApp(app);
  sim.setWebhookUrl(`${receiver.url}/webhooks/raksmeypay`);
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

afterEach(() => {
  Object.assign(sim.apiFaults, { mode: "none", remaining: 0, delayMs: 0 });
  Object.assign(sim.webhookFaults, { mode: "none", delayMs: 0 });
  Object.assign(sim.profile, { active: true, bakongConfigured: true, currency: "USD", dailyLimitMinor: Number.POSITIVE_INFINITY });
  sim.badSignatureKind = "hash";
  sim.webhookAmountAs = "string";
  sim.qrWithoutExpiry = false;
  received.length = 0;
});

describe("RaksmeyPay signing (seed 001 formulas, worked by hand)", () => {
  it("QR API hash = sha1(profile_key . transaction_id . amount . remark)", () => {
    expect(qrRequestHash("KEY", "12345678", "5.00", "Order 1")).toBe(sha1("KEY" + "12345678" + "5.00" + "Order 1"));
    expect(qrRequestHash("KEY", "12345678", "5.00", "Order 1")).toBe("e629a7d666fe301cde2cabc7ffc5b803183a83ed");
    expect(qrRequestHash("KEY", "12345678", "12.50", "topup alice")).toBe("01217f56ba4d19ee797cc0662a6ec93a2e124613");
    expect(qrRequestHash("KEY", "12345678", "12.5", "topup alice")).not.toBe("01217f56ba4d19ee797cc0662a6ec93a2e124613");
  });

  it("Verify API hash = sha1(profile_key . transaction_id)", () => {
    expect(verifyRequestHash("KEY", "12345678")).toBe("ed81cba88ff668f08794d90f855658e77d66f794");
    expect(verifyRequestHash("KEY", "12345678")).toBe(sha1("KEY" + "12345678"));
  });

  it("webhook hash = sha1(profile_key . timestamp . amount . bakong_hash . transaction_id)", () => {
    const bakongHash = "b7e23ec29af22b0b4e41da31e868d57226121c84";
    expect(webhookHash("KEY", "1718500000", "10.00", bakongHash, "TXN_1718500000")).toBe(sha1("KEY" + "1718500000" + "10.00" + bakongHash + "TXN_1718500000"));
    expect(webhookHash("KEY", "1718500000", "10.00", bakongHash, "TXN_1718500000")).toBe("4dbea8ca3a032fdf22c7897186fc4fce949a26df");
  });

  it("compares in constant time and never matches texts of different length", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "a")).toBe(false);
  });

  it("keeps the remark short and ASCII-safe", () => {
    expect(remarkFor("alice")).toBe("topup alice");
    expect(remarkFor("ស្រី ali&ce=1")).toBe("topup alice1");
    expect(remarkFor("ស្រី")).toBe("topup");
    expect(remarkFor("x".repeat(100))).toBe(`topup ${"x".repeat(32)}`);
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs("Thu, 01 Jan 1970 00:00:05 GMT", 1000)).toBe(4000);
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs("soon", 0)).toBeUndefined();
  });
});

describe("RaksmeyPay create", () => {
  it("declares its capabilities", () => {
    expect(adapter.capabilities).toEqual({ presentation: "qr", statusApi: true, webhook: true, signedWebhook: true, pollConcurrency: 4, pollBatch: 1 });
  });

  it("returns the provider's KHQR for exactly the top-up, and the same QR again for the same transaction_id", async () => {
    const t = topUp(1250);
    const created = await adapter.create(t);
    const qr = validateKhqr(created.qr!);
    expect(qr.ok).toBe(true);
    if (!qr.ok) return;
    expect(qr.value.amountMinor).toBe(1250);
    expect(qr.value.currency).toBe("USD");
    expect(qr.value.billNumber).toBe(t.reference);
    expect(qr.value.account).toMatchObject({ kind: "individual", bakongAccountId: "raksmeypay@aclb" });
    expect(created.md5).toBe(khqrMd5(created.qr!));
    expect(created.providerRef).toBe(t.reference);
    expect(created.expiresAt?.getTime()).toBe(qr.value.expiresAt);
    expect(sim.transaction(t.reference)).toMatchObject({ amount: "12.50", remark: "topup alice" });
    expect((await adapter.create(t)).qr).toBe(created.qr);
  });

  it("sends KHR amounts as whole riel", async () => {
    sim.profile.currency = "KHR";
    const t = topUp(40_000, "KHR");
    const created = await adapter.create(t);
    const qr = validateKhqr(created.qr!);
    expect(qr.ok && qr.value.currency === "KHR" && qr.value.amountMinor === 40_000).toBe(true);
    expect(sim.transaction(t.reference)?.amount).toBe("40000");
  });

  it.each([["ABC123"], ["0123456789"], ["1234567890123456"], [""], ["12.5"]])("refuses the transaction id %j before calling RaksmeyPay", async (reference) => {
    const err = await providerError(adapter.create(topUp(500, "USD", reference)));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/numeric transaction id/);
    expect(sim.transaction(reference)).toBeUndefined();
  });

  it("accepts a 15-digit transaction id", async () => {
    const created = await adapter.create(topUp(500, "USD", "999999999999999"));
    expect(created.providerRef).toBe("999999999999999");
  });

  it("refuses a QR in another currency than the top-up (the profile's currency decides)", async () => {
    const err = await providerError(adapter.create(topUp(5_000, "KHR")));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toMatch(/currency/);
  });

  it("refuses a reused QR whose amount is not the top-up's", async () => {
    const t = topUp(500);
    await adapter.create(t);
    const err = await providerError(adapter.create({ ...t, amountMinor: 600 }));
    expect(err.kind).toBe("invalid_response");
  });
});

describe("RaksmeyPay response codes", () => {
  const cases: [number, RegExp, () => { t: TopUpRef; provider?: PaymentProvider; before?: () => Promise<void> }][] = [
    [1, /profile not found.*RAKSMEYPAY_PROFILE_ID/i, () => ({ t: topUp(500), provider: adapterWith({ profileId: "unknown-profile" }) })],
    [2, /not active/i, () => ({ t: topUp(500), before: async () => void (sim.profile.active = false) })],
    [3, /no Bakong account/i, () => ({ t: topUp(500), before: async () => void (sim.profile.bakongConfigured = false) })],
    [4, /invalid hash.*check RAKSMEYPAY_PROFILE_KEY/i, () => ({ t: topUp(500), provider: adapterWith({ profileKey: "wrong-key" }) })],
    [5, /KHR amount must be at least 100/i, () => ({ t: topUp(99, "KHR"), before: async () => void (sim.profile.currency = "KHR") })],
    [6, /exceeds the transaction limit/i, () => ({ t: topUp(1_000_001) })],
    [7, /daily transaction limit reached/i, () => ({ t: topUp(500), before: async () => void (sim.profile.dailyLimitMinor = 0) })],
    [
      8,
      /already paid/i,
      () => {
        const t = topUp(500);
        return { t, before: async () => void (await adapter.create(t), await sim.pay({ reference: t.reference })) };
      },
    ],
  ];

  it.each(cases)("code %i → rejected with a readable message", async (code, message, setup) => {
    const { t, provider, before } = setup();
    await before?.();
    const err = await providerError((provider ?? adapter).create(t));
    expect(err.kind).toBe("rejected");
    expect(err.opts.code).toBe(code);
    expect(err.message).toBe(QR_API_REFUSALS[code]);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/^RaksmeyPay: /);
  });

  it("an undocumented code is still a refusal, with RaksmeyPay's own words", async () => {
    const fake = await fakeRaksmeyPay(() => ({ status: 200, body: JSON.stringify({ responseCode: 42, responseMessage: "Maintenance" }) }));
    const err = await providerError(adapterWith({ baseUrl: fake.url }).create(topUp(500)));
    expect(err.kind).toBe("rejected");
    expect(err.opts.code).toBe(42);
    expect(err.message).toMatch(/code 42: Maintenance/);
    await fake.close();
  });
});

describe("RaksmeyPay confirmation", () => {
  it("polling alone: pending before payment, then paid, keyed by the reference (Verify names no bank transaction)", async () => {
    sim.webhookFaults.mode = "drop";
    const t = topUp(1250);
    expect(await adapter.checkStatus!([t])).toEqual([{ state: "pending" }]); // not created yet: "Payment not found"
    await adapter.create(t);
    expect(await adapter.checkStatus!([t])).toEqual([{ state: "pending" }]);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    const [result] = await adapter.checkStatus!([t]);
    expect(result).toEqual({
      state: "paid",
      observations: [{ provider: "raksmeypay", providerTxnId: t.reference, reference: t.reference, amountMinor: 1250, currency: "USD", raw: { status: 1, payment_amount: 12.5, payment_status: "SUCCESS" } }],
    });
    expect(providerTxnId).toMatch(/^[0-9a-f]{40}$/);
    expect(received).toHaveLength(0);
  });

  it("a SUCCESS seen by polling waits the grace period for the webhook, unless the top-up has expired", async () => {
    sim.webhookFaults.mode = "drop";
    let clock = Date.now();
    const polling = adapterWith({ pollGraceMs: POLL_GRACE_MS, now: () => clock });
    const t = topUp(900);
    await adapter.create(t);
    await sim.pay({ reference: t.reference });
    expect(await polling.checkStatus!([t])).toEqual([{ state: "pending" }]);
    clock += POLL_GRACE_MS - 1;
    expect(await polling.checkStatus!([t])).toEqual([{ state: "pending" }]);
    clock += 1;
    expect(await polling.checkStatus!([t])).toMatchObject([{ state: "paid", observations: [{ providerTxnId: t.reference, amountMinor: 900 }] }]);

    const late = topUp(950);
    await adapter.create(late);
    await sim.pay({ reference: late.reference });
    clock = late.expiresAt.getTime();
    expect(await polling.checkStatus!([late])).toMatchObject([{ state: "paid", observations: [{ providerTxnId: late.reference }] }]);
  });

  it("webhook: the payment is keyed by its bank transaction (bakong_hash) and carries our reference, amount and currency", async () => {
    const t = topUp(500);
    await adapter.create(t);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r!.result).toMatchObject({
      kind: "observed",
      observations: [{ provider: "raksmeypay", providerTxnId, reference: t.reference, amountMinor: 500, currency: "USD" }],
    });
    expect(providerTxnId).toBe(sim.transaction(t.reference)!.paid!.bakongHash);
    expect(sim.deliveries.at(-1)?.status).toBe(200);
    const [polled] = await adapter.checkStatus!([t]);
    expect(polled).toMatchObject({ state: "paid", observations: [{ providerTxnId: t.reference, reference: t.reference, amountMinor: 500 }] });
  });

  it("the same QR paid a second time: a new bakong_hash, so a second payment on the same reference", async () => {
    const t = topUp(500);
    await adapter.create(t);
    const first = await sim.pay({ reference: t.reference });
    const second = await sim.pay({ reference: t.reference });
    expect(second.providerTxnId).not.toBe(first.providerTxnId);
    expect(received.map((x) => x.result)).toMatchObject([
      { kind: "observed", observations: [{ providerTxnId: first.providerTxnId, reference: t.reference, amountMinor: 500 }] },
      { kind: "observed", observations: [{ providerTxnId: second.providerTxnId, reference: t.reference, amountMinor: 500 }] },
    ]);
    expect(sim.transaction(t.reference)!.payments).toHaveLength(2);
  });

  it("a webhook amount sent as a JSON number verifies against its two-place text", async () => {
    sim.webhookAmountAs = "number";
    const t = topUp(1250);
    await adapter.create(t);
    await sim.pay({ reference: t.reference });
    expect(JSON.parse(received[0]!.rawBody.toString()).amount).toBe(12.5);
    expect(received[0]!.result).toMatchObject({ kind: "observed", observations: [{ reference: t.reference, amountMinor: 1250 }] });
  });

  it("accepts a QR without tag 99.01 when amount, currency, account and CRC are right; our TTL decides expiry", async () => {
    sim.qrWithoutExpiry = true;
    const t = topUp(700);
    const created = await adapter.create(t);
    expect(validateKhqr(created.qr!).ok).toBe(false);
    expect(created.qr).not.toContain("9934");
    expect(created.expiresAt).toBeUndefined();
    expect(created.md5).toBe(khqrMd5(created.qr!));
  });

  it("still refuses a QR without 99.01 whose CRC is wrong", async () => {
    sim.qrWithoutExpiry = true;
    const t = topUp(800);
    const qr = (await adapter.create(t)).qr!;
    const fake = new Hono().post("/api/payment/qr-api/:id", (c) =>
      c.json({ responseCode: 0, data: { transaction_id: t.reference, amount: "8.00", qr: qr.slice(0, -1) + (qr.endsWith("0") ? "1" : "0") } }));
    const server = await serveApp(fake);
    try {
      expect((await providerError(adapterWith({ baseUrl: server.url }).create(t))).kind).toBe("invalid_response");
    } finally {
      await server.close();
    }
  });

  it("a payment of another amount is reported as paid with the amount actually paid", async () => {
    const t = topUp(1000);
    await adapter.create(t);
    await sim.pay({ reference: t.reference, amountMinor: 750 });
    const [polled] = await adapter.checkStatus!([t]);
    expect(polled).toMatchObject({ state: "paid", observations: [{ amountMinor: 750, currency: "USD" }] });
    expect(received[0]?.result).toMatchObject({ kind: "observed", observations: [{ amountMinor: 750 }] });
  });

  it("KHR payments: webhook and poll report riel", async () => {
    sim.profile.currency = "KHR";
    const t = topUp(40_000, "KHR");
    await adapter.create(t);
    await sim.pay({ reference: t.reference });
    expect(received[0]?.result).toMatchObject({ kind: "observed", observations: [{ amountMinor: 40_000, currency: "KHR" }] });
    const [polled] = await adapter.checkStatus!([t]);
    expect(polled).toMatchObject({ state: "paid", observations: [{ amountMinor: 40_000, currency: "KHR" }] });
  });

  it("a duplicated webhook verifies twice, identically (the ledger de-duplicates)", async () => {
    sim.webhookFaults.mode = "duplicate";
    const t = topUp(500);
    await adapter.create(t);
    await sim.pay({ reference: t.reference });
    expect(received).toHaveLength(2);
    expect(received[0]!.result.kind).toBe("observed");
    expect(received[1]!.result).toEqual(received[0]!.result);
  });

  it("the sandbox control endpoint pays like the bank app", async () => {
    const t = topUp(300);
    await adapter.create(t);
    const res = await send(`${sim.url}/_control/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: t.reference }) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ providerTxnId: sim.transaction(t.reference)!.paid!.bakongHash });
    expect(received[0]?.result.kind).toBe("observed");
    const unknown = await send(`${sim.url}/_control/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reference: "26010100000000" }) });
    expect(unknown.status).toBe(409);
  });

  it("serves the QR image it links to", async () => {
    const t = topUp(300);
    await adapter.create(t);
    const md5 = sim.transaction(t.reference)!.md5;
    const res = await send(`${sim.url}/img/payment-qr/khqr_${md5}.png`, { method: "GET" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
  });

  it("a verify refused for a bad hash names the setting to check", async () => {
    const err = await providerError(adapterWith({ profileKey: "wrong-key" }).checkStatus!([topUp(500)]));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/RAKSMEYPAY_PROFILE_KEY/);
  });
});

describe("RaksmeyPay webhook verification", () => {
  let genuine: Received;
  let reference: string;

  beforeAll(async () => {
    const t = topUp(1250);
    reference = t.reference;
    await adapter.create(t);
    await sim.pay({ reference });
    genuine = received[0]!;
  });

  const verify = (headers: Record<string, string>, body: Buffer | string) =>
    adapter.verifyWebhook!({ headers, rawBody: typeof body === "string" ? Buffer.from(body) : body });
  const payload = () => JSON.parse(genuine.rawBody.toString()) as Record<string, unknown>;
  const resigned = (p: Record<string, unknown>) =>
    JSON.stringify({ ...p, hash: webhookHash(PROFILE_KEY, String(p.timestamp), String(p.amount), String(p.bakong_hash), String(p.transaction_id)) });

  it("the genuine delivery, in the seed's format (a 40-hex bakong_hash), is observed", () => {
    const bakongHash = payload().bakong_hash as string;
    expect(bakongHash).toMatch(/^[0-9a-f]{40}$/);
    expect(genuine.result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: bakongHash, reference, amountMinor: 1250, currency: "USD" }] });
    expect(genuine.headers["x-api-key"]).toBe(API_KEY);
    expect(genuine.headers["content-type"]).toBe("application/json");
    const raw = payload();
    expect(raw).toMatchObject({ transaction_id: reference, amount: "12.50", currency: "USD", status: "success", profile_id: PROFILE_ID });
    expect(typeof raw.timestamp).toBe("number");
    if (genuine.result.kind === "observed") expect(genuine.result.observations[0]!.raw).toEqual(raw);
  });

  const headersWith = (change: Record<string, string | undefined>) => {
    const h: Record<string, string> = { ...genuine.headers };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete h[k];
    else h[k] = v;
    return h;
  };

  const bad: [string, () => [Record<string, string>, string | Buffer], WebhookResult["kind"], number?][] = [
    ["wrong key", () => [headersWith({ "x-api-key": `${API_KEY}x` }), genuine.rawBody], "rejected", 401],
    ["missing key header", () => [headersWith({ "x-api-key": undefined }), genuine.rawBody], "rejected", 401],
    ["wrong hash", () => [genuine.headers, JSON.stringify({ ...payload(), hash: sha1("forged") })], "rejected", 403],
    ["altered amount", () => [genuine.headers, JSON.stringify({ ...payload(), amount: "125.00" })], "rejected", 403],
    ["altered transaction id", () => [genuine.headers, JSON.stringify({ ...payload(), transaction_id: "26010199999999" })], "rejected", 403],
    ["altered timestamp", () => [genuine.headers, JSON.stringify({ ...payload(), timestamp: Number(payload().timestamp) + 1 })], "rejected", 403],
    ["a timestamp that is not 10 digits", () => [genuine.headers, resigned({ ...payload(), timestamp: 1 })], "rejected", 400],
    ["a bakong_hash of 41 hex digits, correctly hashed", () => [genuine.headers, resigned({ ...payload(), bakong_hash: `${String(payload().bakong_hash)}a` })], "rejected", 400],
    ["a bakong_hash of 63 hex digits, correctly hashed", () => [genuine.headers, resigned({ ...payload(), bakong_hash: sha256("x").slice(1) })], "rejected", 400],
    ["a transaction_id that is not our reference, correctly hashed", () => [genuine.headers, resigned({ ...payload(), transaction_id: "TXN_1718500000" })], "rejected", 400],
    ["an amount of 21 characters, correctly hashed", () => [genuine.headers, resigned({ ...payload(), amount: "1".repeat(18) + ".00" })], "rejected", 400],
    ["malformed JSON", () => [genuine.headers, genuine.rawBody.subarray(0, genuine.rawBody.length - 1)], "rejected", 400],
    ["wrong content type", () => [headersWith({ "content-type": "application/x-www-form-urlencoded" }), genuine.rawBody], "rejected", 415],
    ["missing content type", () => [headersWith({ "content-type": undefined }), genuine.rawBody], "rejected", 415],
    ["empty body", () => [genuine.headers, ""], "rejected", 400],
    ["missing field", () => [genuine.headers, JSON.stringify({ ...payload(), bakong_hash: undefined })], "rejected", 400],
    ["amount as a number (hashed as \"12.50\")", () => [genuine.headers, JSON.stringify({ ...payload(), amount: 12.5 })], "observed"],
    ["a bakong_hash of 64 hex digits, correctly hashed", () => [genuine.headers, resigned({ ...payload(), bakong_hash: sha256("x") })], "observed"],
    ["a JSON array", () => [genuine.headers, "[]"], "rejected", 400],
  ];

  it.each(bad)("%s", async (_name, make, kind, status) => {
    const [headers, body] = make();
    const result = await verify(headers, body);
    expect(result.kind).toBe(kind);
    if (status !== undefined) expect(result).toMatchObject({ status });
    if (kind === "observed") {
      expect(result).toMatchObject({ observations: [{ reference, amountMinor: 1250, currency: "USD" }] });
      expect(result.kind === "observed" && "holdReason" in result.observations[0]!).toBe(false);
    }
  });

  // Signed (the hash verifies over fields whose cut is fixed), so recorded: held for an admin with the reason, never refused.
  const odd: [string, () => string, { amountMinor: number; currency: Currency }, RegExp][] = [
    ["unknown currency (not hashed)", () => JSON.stringify({ ...payload(), currency: "EUR" }), { amountMinor: 0, currency: "USD" }, /currency "EUR" is neither USD nor KHR \(the amount "12.50"\)/],
    ["no currency at all", () => JSON.stringify({ ...payload(), currency: undefined }), { amountMinor: 0, currency: "USD" }, /currency missing is neither USD nor KHR/],
    ["riel with decimals, correctly hashed", () => resigned({ ...payload(), currency: "KHR", amount: "100.50" }), { amountMinor: 100, currency: "KHR" }, /the amount "100.50" is not a plain, exact KHR amount/],
    ["three decimals, correctly hashed", () => resigned({ ...payload(), amount: "12.505" }), { amountMinor: 1250, currency: "USD" }, /the amount "12.505" is not a plain, exact USD amount/],
    ["an amount with a leading zero, correctly hashed", () => resigned({ ...payload(), amount: "012.50" }), { amountMinor: 1250, currency: "USD" }, /the amount "012.50" is not a plain, exact USD amount/],
    ["an amount in exponent form, correctly hashed", () => resigned({ ...payload(), amount: "1.25e1" }), { amountMinor: 0, currency: "USD" }, /the amount "1.25e1"/],
    ["a JSON number with three decimals, correctly hashed", () => JSON.stringify({ ...payload(), amount: 12.505, hash: webhookHash(PROFILE_KEY, String(payload().timestamp), "12.505", String(payload().bakong_hash), reference) }), { amountMinor: 1250, currency: "USD" }, /the amount "12.505"/],
    ["a status other than success (not hashed)", () => JSON.stringify({ ...payload(), status: "failed" }), { amountMinor: 1250, currency: "USD" }, /status "failed", documented as always "success"/],
    ["another profile (not hashed)", () => JSON.stringify({ ...payload(), profile_id: "someone-else" }), { amountMinor: 1250, currency: "USD" }, /profile_id "someone-else" is not our profile/],
    ["a timestamp 16 minutes old, correctly hashed", () => resigned({ ...payload(), timestamp: Math.floor(Date.now() / 1000) - 16 * 60 }), { amountMinor: 1250, currency: "USD" }, /timestamp \d{10} is 16 minutes before our clock/],
    ["a timestamp 16 minutes ahead, correctly hashed", () => resigned({ ...payload(), timestamp: Math.floor(Date.now() / 1000) + 16 * 60 }), { amountMinor: 1250, currency: "USD" }, /timestamp \d{10} is 16 minutes after our clock/],
  ];

  it.each(odd)("%s: observed and held with its reason", async (_name, body, booked, why) => {
    const result = await verify(genuine.headers, body());
    expect(result).toMatchObject({ kind: "observed", observations: [{ providerTxnId: payload().bakong_hash, reference, ...booked }] });
    const holdReason = result.kind === "observed" ? result.observations[0]!.holdReason : undefined;
    expect(holdReason).toMatch(/^RaksmeyPay sent a signed notification in an unexpected format: /);
    expect(holdReason).toMatch(why);
  });

  it("a payment in neither USD nor KHR is held as 0 of the top-ups' currency", async () => {
    const riel = createRaksmeyPayProvider({ baseUrl: sim.url, profileId: PROFILE_ID, profileKey: PROFILE_KEY, webhookApiKey: API_KEY, qrTemplate: 2 }, { log, currency: "KHR" });
    const result = await riel.verifyWebhook!({ headers: genuine.headers, rawBody: Buffer.from(JSON.stringify({ ...payload(), currency: "THB" })) });
    expect(result).toMatchObject({ kind: "observed", observations: [{ amountMinor: 0, currency: "KHR", holdReason: expect.stringContaining('currency "THB"') }] });
  });

  describe("a captured body re-cut across the unseparated hash fields is refused before the hash counts", () => {
    // sha1(key . timestamp . amount . bakong_hash . transaction_id): moving characters between
    // neighbouring fields keeps the concatenation, so the hash still matches. The timestamp (10 digits)
    // and the transaction_id (14) fix both ends; a bakong_hash of 40 or 64 hex digits and an amount of
    // at most 20 characters leave no cut that turns one hash length into the other.
    type Hashed = { timestamp: string; amount: string; bakong_hash: string; transaction_id: string };
    const with64 = () => JSON.parse(resigned({ ...payload(), bakong_hash: sha256(`recut-${reference}`) })) as Record<string, unknown>;
    const recut = (base: Record<string, unknown>, change: (p: Hashed) => Partial<Hashed>) => {
      const fields = { timestamp: String(base.timestamp), amount: String(base.amount), bakong_hash: String(base.bakong_hash), transaction_id: String(base.transaction_id) };
      const cut = change(fields);
      const joined = (f: Hashed) => f.timestamp + f.amount + f.bakong_hash + f.transaction_id;
      expect(joined({ ...fields, ...cut })).toBe(joined(fields));
      return JSON.stringify({ ...base, ...cut });
    };
    const cuts: [string, (p: Hashed) => Partial<Hashed>][] = [
      ["last timestamp digit moved into the amount", (f) => ({ timestamp: f.timestamp.slice(0, -1), amount: f.timestamp.slice(-1) + f.amount })],
      ["last amount digit moved into the bakong_hash", (f) => ({ amount: f.amount.slice(0, -1), bakong_hash: f.amount.slice(-1) + f.bakong_hash })],
      ["last bakong_hash digit moved into the transaction_id", (f) => ({ bakong_hash: f.bakong_hash.slice(0, -1), transaction_id: f.bakong_hash.slice(-1) + f.transaction_id })],
      ["first amount digit moved into the timestamp", (f) => ({ timestamp: f.timestamp + f.amount.slice(0, 1), amount: f.amount.slice(1) })],
    ];
    it.each(cuts)("40-hex bakong_hash: %s → 400", async (_name, change) => {
      expect(await verify(genuine.headers, recut(payload(), change))).toMatchObject({ kind: "rejected", status: 400 });
    });
    it.each(cuts)("64-hex bakong_hash: %s → 400", async (_name, change) => {
      expect(await verify(genuine.headers, recut(with64(), change))).toMatchObject({ kind: "rejected", status: 400 });
    });
    it.each([
      ["its first 24 hex digits moved into the amount (a 40-hex hash is left)", (f: Hashed) => ({ amount: f.amount + f.bakong_hash.slice(0, 24), bakong_hash: f.bakong_hash.slice(24) })],
      ["its last 24 hex digits moved into the transaction_id (a 40-hex hash is left)", (f: Hashed) => ({ bakong_hash: f.bakong_hash.slice(0, 40), transaction_id: f.bakong_hash.slice(40) + f.transaction_id })],
    ] as const)("64-hex bakong_hash cut to 40: %s → 400", async (_name, change) => {
      const base = with64();
      expect(await verify(genuine.headers, JSON.stringify(base))).toMatchObject({ kind: "observed", observations: [{ providerTxnId: base.bakong_hash }] });
      expect(await verify(genuine.headers, recut(base, change))).toMatchObject({ kind: "rejected", status: 400 });
    });
    it("a 40-hex bakong_hash cannot grow to 64 from the amount: an amount of 24 characters is refused before the hash counts", async () => {
      const long = "1".repeat(21) + ".00";
      const base = JSON.parse(resigned({ ...payload(), amount: long })) as Record<string, unknown>;
      expect(await verify(genuine.headers, JSON.stringify(base))).toMatchObject({ kind: "rejected", status: 400 });
      const grown = recut(base, (f) => ({ amount: f.amount.slice(0, -24), bakong_hash: f.amount.slice(-24) + f.bakong_hash }));
      expect(await verify(genuine.headers, grown)).toMatchObject({ kind: "rejected", status: 400 });
    });
  });

  it("a timestamp 14 minutes old is inside the window", async () => {
    const body = resigned({ ...payload(), timestamp: Math.floor(Date.now() / 1000) - 14 * 60 });
    expect(await verify(genuine.headers, body)).toMatchObject({ kind: "observed" });
  });

  it("a repeat delivery verifies again identically", async () => {
    const again = await verify(genuine.headers, genuine.rawBody);
    expect(again).toEqual(genuine.result);
  });

  it("accepts header names in any case and a charset on the content type", async () => {
    const result = await verify({ "X-Api-Key": API_KEY, "Content-Type": "application/json; charset=utf-8" }, genuine.rawBody);
    expect(result).toEqual(genuine.result);
  });

  it("accepts a digit-string timestamp and a numeric transaction_id, hashed as their text", async () => {
    const p = payload();
    const body = resigned({ ...p, timestamp: String(p.timestamp), transaction_id: Number(reference) });
    expect(await verify(genuine.headers, body)).toMatchObject({ kind: "observed", observations: [{ providerTxnId: p.bakong_hash, reference }] });
  });

  it.each([["hash", 403], ["api_key", 401]] as const)("the simulator's bad_signature fault (%s) is rejected with %i", async (kind, status) => {
    sim.webhookFaults.mode = "bad_signature";
    sim.badSignatureKind = kind;
    const t = topUp(200);
    await adapter.create(t);
    await sim.pay({ reference: t.reference });
    expect(received[0]?.result).toMatchObject({ kind: "rejected", status });
    expect(sim.deliveries.at(-1)?.status).toBe(status);
  });
});

describe("RaksmeyPay failures", () => {
  it.each([
    ["http500", "unavailable"],
    ["http429", "rate_limited"],
    ["timeout", "unavailable"],
  ] as const)("create under %s → %s", async (mode, kind) => {
    Object.assign(sim.apiFaults, { mode, remaining: 1 });
    const err = await providerError(adapter.create(topUp(500)));
    expect(err.kind).toBe(kind);
    if (mode === "http429") expect(err.opts.retryAfterMs).toBe(2000);
  });

  it.each([
    ["http500", "unavailable"],
    ["http429", "rate_limited"],
    ["timeout", "unavailable"],
  ] as const)("checkStatus under %s → %s", async (mode, kind) => {
    Object.assign(sim.apiFaults, { mode, remaining: 1 });
    expect((await providerError(adapter.checkStatus!([topUp(500)]))).kind).toBe(kind);
  });

  it("no server → unavailable", async () => {
    const gone = await serveApp(new Hono());
    await gone.close();
    expect((await providerError(adapterWith({ baseUrl: gone.url }).create(topUp(500)))).kind).toBe("unavailable");
  });

  const foreignQr = encodeKhqr({
    account: { kind: "individual", bakongAccountId: "raksmeypay@aclb" },
    merchantName: "Test Shop",
    merchantCity: "Phnom Penh",
    currency: "USD",
    amountMinor: 99_900,
    createdAt: Date.now(),
    expiresAt: Date.now() + 600_000,
  });
  const expiredQr = encodeKhqr({
    account: { kind: "individual", bakongAccountId: "raksmeypay@aclb" },
    merchantName: "Test Shop",
    merchantCity: "Phnom Penh",
    currency: "USD",
    amountMinor: 500,
    createdAt: Date.now() - 1_200_000,
    expiresAt: Date.now() - 600_000,
  });
  const qrData = (qr: string) => JSON.stringify({ responseCode: 0, data: { transaction_id: "26019900000001", amount: "5.00", qr, md5: khqrMd5(qr) } });

  it.each([
    ["an HTML page", 200, "<html>oops</html>"],
    ["a 403 page", 403, "Forbidden"],
    ["success without data", 200, JSON.stringify({ responseCode: 0, responseMessage: "Success" })],
    ["no responseCode", 200, JSON.stringify({ ok: true })],
    ["a QR that is not KHQR", 200, qrData("hello")],
    ["a QR for another amount", 200, qrData(foreignQr)],
    ["an expired QR", 200, qrData(expiredQr)],
    ["a QR for another transaction", 200, qrData(foreignQr).replace("26019900000001", "26019900000002")],
  ])("create answered with %s → invalid_response", async (_name, status, body) => {
    const fake = await fakeRaksmeyPay(() => ({ status, body }));
    const err = await providerError(adapterWith({ baseUrl: fake.url }).create(topUp(500, "USD", "26019900000001")));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toMatch(/^RaksmeyPay answered something unexpected/);
    await fake.close();
  });

  it.each([
    ["an unknown payment_status", { status: 1, payment_amount: 5, payment_status: "REVERSED" }],
    ["SUCCESS without an amount", { status: 1, payment_status: "SUCCESS" }],
    ["SUCCESS with an inexact amount", { status: 1, payment_amount: "5.001", payment_status: "SUCCESS" }],
    ["an unknown status", { status: 7 }],
  ])("checkStatus answered with %s → invalid_response", async (_name, answer) => {
    const fake = await fakeRaksmeyPay(() => ({ status: 200, body: JSON.stringify(answer) }));
    expect((await providerError(adapterWith({ baseUrl: fake.url }).checkStatus!([topUp(500)]))).kind).toBe("invalid_response");
    await fake.close();
  });

  it("checkStatus reads an amount sent as a string and a lower-case status", async () => {
    const fake = await fakeRaksmeyPay(() => ({ status: 200, body: JSON.stringify({ status: "1", payment_amount: "5.00", payment_status: "success" }) }));
    const [r] = await adapterWith({ baseUrl: fake.url }).checkStatus!([topUp(500)]);
    expect(r).toMatchObject({ state: "paid", observations: [{ amountMinor: 500 }] });
    await fake.close();
  });
});

/** A stand-in RaksmeyPay that answers whatever a test needs. */
async function fakeRaksmeyPay(answer: () => { status: number; body: string }): Promise<RunningServer> {
  const app = new Hono();
  app.post("/api/payment/*", (c) => {
    const { status, body } = answer();
    return c.body(body, status as 200, { "content-type": body.startsWith("{") ? "application/json" : "text/html" });
  });
  return serveApp(app);
}
