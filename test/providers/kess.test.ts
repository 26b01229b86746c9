import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KessConfig } from "../../src/config/config.js";
import { decodeKhqr, encodeKhqr, khqrMd5 } from "../../src/khqr/index.js";
import type { Currency } from "../../src/money/money.js";
import { ProviderError, type PaymentProvider, type StatusResult, type TopUpRef, type WebhookResult } from "../../src/payments/provider.js";
import { createKessProvider, type KessDeps } from "../../src/payments/providers/kess/kess.js";
import { GATEWAY_ERRORS, gatewayError, orderStatusResult, type OrderInfo } from "../../src/payments/providers/kess/kess-api.js";
import { makeSign } from "../../src/payments/providers/kess/kess-signing.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const log = pino({ level: "silent" });
const SECRET = "sim-api-secret";

let sim: KessSimulator;
let receiver: RunningServer;
const received: { path: string; result: WebhookResult }[] = [];
let kess: PaymentProvider;

let seq = 0;
const newRef = () => String(26_010_100_000_000 + process.pid * 1000 + ++seq);

function topUp(over: Partial<TopUpRef> = {}): TopUpRef {
  return {
    reference: newRef(),
    amountMinor: 1250,
    currency: "USD",
    panelLogin: "alice",
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 10 * 60_000),
    ...over,
  };
}

function provider(config: Partial<KessConfig> = {}, deps: Partial<KessDeps> = {}): PaymentProvider {
  return createKessProvider(sim.config(config), { log, queryIntervalMs: 0, ...deps });
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** Created and shown to the customer, so it carries the md5 and QR the ledger stores. */
async function created(p: PaymentProvider, over: Partial<TopUpRef> = {}): Promise<TopUpRef> {
  const t = topUp(over);
  const c = await p.create(t);
  return { ...t, providerRef: c.providerRef ?? null, md5: c.md5 ?? null, qr: c.qr ?? null };
}

beforeAll(async () => {
  sim = await startKessSimulator({ apiSecret: SECRET, timeoutHoldMs: 3_000 });
  const app = new Hono();
  app.post("/webhooks/:name", async (c) => {
    const result = await kess.verifyWebhook!({
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      rawBody: Buffer.from(await c.req.arrayBuffer()),
    });
    received.push({ path: c.req.path, result });
    return c.json({ ok: true }, result.kind === "rejected" ? result.status : 200);
  });
  receiver = await serveApp(app);
  sim.setWebhookUrl(`${receiver.url}/webhooks/kess`);
  kess = provider();
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

beforeEach(() => {
  received.length = 0;
  Object.assign(sim.apiFaults, { mode: "none", remaining: 0, delayMs: 0 });
  Object.assign(sim.webhookFaults, { mode: "none", delayMs: 0 });
  sim.setRefundsSupported(true);
  sim.setQrMode("qrcode");
});

describe("capabilities", () => {
  it("is a QR provider confirmed only by queryOrder", () => {
    expect(kess.capabilities).toEqual({
      presentation: "qr", statusApi: true, webhook: true, signedWebhook: false, pollConcurrency: 4, pollBatch: 1,
    });
  });
});

describe("create → nativePay", () => {
  it.each([
    [1250, "USD", "12.50"],
    [500, "USD", "5.00"],
    [40000, "KHR", "40000"],
  ] as const)("%i %s: a KHQR for exactly %s with the top-up's expiry", async (amountMinor, currency, _wire) => {
    const t = topUp({ amountMinor, currency: currency as Currency });
    const c = await kess.create(t);
    const decoded = decodeKhqr(c.qr!);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.amountMinor).toBe(amountMinor);
    expect(decoded.value.currency).toBe(currency);
    expect(decoded.value.account?.kind).toBe("individual"); // tag 29, like the seed's KHQR example
    expect(decoded.value.billNumber).toBe(c.providerRef);
    expect(c.md5).toBe(khqrMd5(c.qr!));
    expect(c.checkoutUrl).toBeUndefined();
    expect(Math.abs(c.expiresAt!.getTime() - t.expiresAt.getTime())).toBeLessThan(2_000);
    const order = sim.order(t.reference)!;
    expect(order).toMatchObject({ amountMinor, currency, serviceCode: "KHQR", body: "Top-up alice", status: "WAITING" });
    expect(Math.abs(order.expiresAt - t.expiresAt.getTime())).toBeLessThan(2_000);
  });

  it("a tag-30 merchant QR for a wallet service code", async () => {
    const c = await provider({ serviceCode: "KESSKH" }).create(topUp());
    const decoded = decodeKhqr(c.qr!);
    expect(decoded.ok && decoded.value.account?.kind).toBe("merchant");
  });

  it("only a link back → checkoutUrl", async () => {
    sim.setQrMode("qrcode_link");
    const c = await kess.create(topUp());
    expect(c.qr).toBeUndefined();
    expect(c.md5).toBeUndefined();
    expect(c.checkoutUrl).toMatch(new RegExp(`^${sim.url}/qr/`));
  });

  it("sends notify_url when the adapter knows it, and KESS notifies there", async () => {
    const p = provider({}, { notifyUrl: `${receiver.url}/webhooks/kess-notify-url` });
    const t = await created(p);
    expect(sim.order(t.reference)!.notifyUrl).toBe(`${receiver.url}/webhooks/kess-notify-url`);
    await sim.pay({ reference: t.reference });
    expect(received.map((r) => r.path)).toEqual(["/webhooks/kess-notify-url"]);
  });

  it("keeps nativePay's deeplink for the phone path, beside the QR", async () => {
    const withLink = await kess.create(topUp());
    expect(withLink.qr).toBeDefined();
    const link = new URL(withLink.deepLink!);
    expect(link.protocol).toBe("https:");
    expect(link.searchParams.get("reference")).toMatch(/^\d+$/);
    sim.deeplinkMode = "none";
    try {
      expect((await kess.create(topUp())).deepLink).toBeUndefined();
    } finally {
      sim.deeplinkMode = "link";
    }
  });

  it("the simulator's only_deeplink mode: is_ios_device required, then a deeplink and no QR", async () => {
    const cfg = sim.config();
    const login = await fetch(`${sim.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "password", client_id: cfg.clientId, client_secret: cfg.clientSecret, username: cfg.username, password: cfg.password }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const nativePay = async (extra: Record<string, unknown>) => {
      const fields = {
        service: "webpay.acquire.nativePay", sign_type: "MD5", seller_code: cfg.sellerCode, out_trade_no: newRef(), body: "Top-up",
        total_amount: "5.00", currency: "USD", service_code: "KHQR", ...extra,
      };
      const res = await fetch(`${sim.url}/api/mch/v2/gateway`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ ...fields, sign: makeSign(fields, cfg.apiSecret) }),
      });
      return { status: res.status, body: (await res.json()) as { code?: string; data?: { qrcode: string | null; deeplink: string | null; for_ios: boolean | null } } };
    };
    expect(await nativePay({ only_deeplink: 1 })).toMatchObject({ status: 400, body: { code: "VALIDATION_ERROR" } });
    const only = await nativePay({ only_deeplink: 1, is_ios_device: 0 });
    expect(only.body.data).toMatchObject({ qrcode: null, for_ios: false });
    expect(only.body.data!.deeplink).toMatch(/^https:\/\/[^/]+\/[0-9a-f]+\?reference=\d+$/);
  });

  it("the same reference twice → DUPLICATED", async () => {
    const t = topUp();
    await kess.create(t);
    const err = await rejection(kess.create(t));
    expect(err.kind).toBe("rejected");
    expect(err.opts.code).toBe("DUPLICATED");
  });

  it("refuses a reference KESS cannot take and an expired top-up without calling", async () => {
    expect((await rejection(kess.create(topUp({ reference: "a_b" })))).kind).toBe("rejected");
    expect((await rejection(kess.create(topUp({ expiresAt: new Date(Date.now() - 1000) })))).message).toMatch(/expired/);
  });
});

describe("payment confirmed", () => {
  it("by polling alone: pending before, paid after with the gateway's transaction id and amount", async () => {
    const t = await created(kess);
    expect(await kess.checkStatus!([t])).toEqual([{ state: "pending" }]);
    const { providerTxnId } = await sim.pay({ reference: t.reference, qr: t.qr });
    const [status] = await kess.checkStatus!([t]);
    expect(status).toMatchObject({
      state: "paid",
      observations: [{ provider: "kess", providerTxnId, reference: t.reference, amountMinor: 1250, currency: "USD", payer: "***924" }],
    });
    expect(providerTxnId).toMatch(/^TR\d{4}-\d{18}$/);
  });

  it("by notify: a signal for the reference, never an observation; the repeat verifies the same", async () => {
    sim.webhookFaults.mode = "duplicate";
    const t = await created(kess);
    await sim.pay({ reference: t.reference });
    expect(received.map((r) => r.result)).toEqual([
      { kind: "signal", reference: t.reference },
      { kind: "signal", reference: t.reference },
    ]);
  });

  it("a notify with a bad sign is refused 403; a dropped one never arrives", async () => {
    sim.webhookFaults.mode = "bad_signature";
    await sim.pay({ reference: (await created(kess)).reference });
    expect(received.map((r) => r.result)).toEqual([{ kind: "rejected", status: 403, reason: "bad sign" }]);
    received.length = 0;
    sim.webhookFaults.mode = "drop";
    await sim.pay({ reference: (await created(kess)).reference });
    expect(received).toEqual([]);
  });

  it("reports what was paid when it differs from the order", async () => {
    const t = await created(kess);
    await sim.pay({ reference: t.reference, amountMinor: 1000 });
    const [status] = await kess.checkStatus!([t]);
    expect(status).toMatchObject({ state: "paid", observations: [{ amountMinor: 1000, currency: "USD" }] });
  });

  it("the sandbox page's POST /_control/pay pays by QR", async () => {
    const t = await created(kess);
    const res = await fetch(`${sim.url}/_control/pay`, { method: "POST", body: JSON.stringify({ reference: "unknown", qr: t.qr }) });
    const body = (await res.json()) as { providerTxnId: string };
    const [status] = await kess.checkStatus!([t]);
    expect(status).toMatchObject({ state: "paid", observations: [{ providerTxnId: body.providerTxnId }] });
  });

  it("checks many top-ups, one result each in order", async () => {
    const ts = await Promise.all(Array.from({ length: 6 }, () => created(kess)));
    await sim.pay({ reference: ts[2]!.reference });
    const results = await kess.checkStatus!(ts);
    expect(results.map((r) => r.state)).toEqual(["pending", "pending", "paid", "pending", "pending", "pending"]);
  });
});

describe("status checks are gated per order", () => {
  const queryOrders = () => sim.stats.calls["webpay.acquire.queryOrder"] ?? 0;

  it("200 concurrent checks of one order make one queryOrder call, and all get its answer", async () => {
    const p = provider({}, { queryIntervalMs: 1_000 });
    const t = await created(p);
    const before = queryOrders();
    const results = await Promise.all(Array.from({ length: 200 }, () => p.checkStatus!([t])));
    expect(results.every(([r]) => r!.state === "pending")).toBe(true);
    expect(queryOrders() - before).toBe(1);
  });

  it("a check, the payment and its notification each get a fresh answer", async () => {
    const p = provider({}, { queryIntervalMs: 60_000 });
    const t = await created(p);
    expect(await p.checkStatus!([t])).toEqual([{ state: "pending" }]);
    await sim.pay({ reference: t.reference });
    expect((await p.checkStatus!([t]))[0]!.state).toBe("paid");
  });

  it("200 checks one after another cost the burst of 3 calls, then one per interval", async () => {
    let clock = Date.now();
    const p = provider({}, { queryIntervalMs: 1_000, now: () => clock });
    const t = await created(p);
    const before = queryOrders();
    for (let i = 0; i < 200; i++) expect(await p.checkStatus!([t])).toEqual([{ state: "pending" }]);
    expect(queryOrders() - before).toBe(3);
    await sim.pay({ reference: t.reference });
    expect(await p.checkStatus!([t])).toEqual([{ state: "pending" }]);
    clock += 1_000;
    expect((await p.checkStatus!([t]))[0]!.state).toBe("paid");
    expect(queryOrders() - before).toBe(4);
  });

  it("different orders are not held up by each other", async () => {
    const p = provider({}, { queryIntervalMs: 60_000 });
    const ts = await Promise.all(Array.from({ length: 3 }, () => created(p)));
    const before = queryOrders();
    expect((await p.checkStatus!(ts)).map((r) => r.state)).toEqual(["pending", "pending", "pending"]);
    expect(queryOrders() - before).toBe(3);
  });
});

describe("verifyWebhook", () => {
  const reference = "26010112345678";
  const fields = { out_trade_no: reference, transaction_id: "TR2601-1", total_amount: 12.5, currency: "USD", status: "SUCCESS", sign_type: "MD5" };
  const signed = (f: Record<string, unknown>, key = SECRET) => ({ ...f, sign: makeSign(f, key) });
  const json = (body: unknown, type = "application/json") => ({
    headers: { "content-type": type },
    rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  });
  const form = (body: Record<string, string>) => ({
    headers: { "content-type": "application/x-www-form-urlencoded" },
    rawBody: Buffer.from(new URLSearchParams(body).toString()),
  });

  it.each([
    ["a good MD5 sign", json(signed(fields)), { kind: "signal", reference }],
    ["a good HMAC-SHA256 sign", json(signed({ ...fields, sign_type: "HMAC-SHA256" })), { kind: "signal", reference }],
    ["no sign at all (the ledger asks queryOrder)", json(fields), { kind: "signal", reference }],
    ["a signed form body", form(signed({ ...fields, total_amount: "12.50" }) as Record<string, string>), { kind: "signal", reference }],
    ["JSON without a content type", { headers: {}, rawBody: Buffer.from(JSON.stringify(signed(fields))) }, { kind: "signal", reference }],
    ["the reference inside data.order_info", json({ success: true, data: { order_info: { out_trade_no: reference } } }), { kind: "signal", reference }],
    ["a sign made with the wrong key", json(signed(fields, "wrong")), { kind: "rejected", status: 403 }],
    ["a wrong sign", json({ ...fields, sign: "0".repeat(32) }), { kind: "rejected", status: 403 }],
    ["an altered amount", json({ ...signed(fields), total_amount: 1250 }), { kind: "rejected", status: 403 }],
    ["an altered id", json({ ...signed(fields), out_trade_no: "26010199999999" }), { kind: "rejected", status: 403 }],
    ["an unknown sign_type", json({ ...fields, sign_type: "SHA1", sign: "x" }), { kind: "rejected", status: 403 }],
    ["malformed JSON", json("{\"out_trade_no\":"), { kind: "rejected", status: 400 }],
    ["a JSON array", json("[1]"), { kind: "rejected", status: 400 }],
    ["an empty body", json(""), { kind: "rejected", status: 400 }],
    ["no reference", json(signed({ status: "SUCCESS", sign_type: "MD5" })), { kind: "rejected", status: 400 }],
    ["a wrong content type", json(signed(fields), "text/plain"), { kind: "rejected", status: 415 }],
  ])("%s", async (_name, req, expected) => {
    expect(await kess.verifyWebhook!(req)).toMatchObject(expected);
  });

  // makeSign joins k=v with & and escapes nothing: each of these verifies under a plain makeSign.
  const recut = (f: Record<string, unknown>) => ({ ...f, sign: makeSign(f, SECRET) });
  it.each([
    ["a field moved into another's value", { out_trade_no: reference, status: "SUCCESS", body: "Top-up&currency=USD", sign_type: "MD5" }, "malformed field"],
    ["an & in out_trade_no", { out_trade_no: `${reference}&x=1`, status: "SUCCESS", sign_type: "MD5" }, "malformed out_trade_no"],
    ["an amount with three decimals", { ...fields, total_amount: "12.505" }, "malformed total_amount"],
    ["an amount in exponent form", { ...fields, total_amount: 1e-7 }, "malformed total_amount"],
    ["a negative amount", { ...fields, total_amount: "-1" }, "malformed total_amount"],
    ["a currency that is not three letters", { ...fields, currency: "USD=" }, "malformed currency"],
    ["a transaction id with a separator", { ...fields, transaction_id: "TR=1" }, "malformed transaction_id"],
    ["a status with a separator", { ...fields, status: "SUCCESS&x" }, "malformed status"],
    ["a paid_at that is not a time", { ...fields, paid_at: "yesterday" }, "malformed paid_at"],
    ["a key with a separator", { ...fields, "a=b": "c" }, "malformed field name"],
  ])("refuses %s before the sign counts", async (_name, f, reason) => {
    expect(await kess.verifyWebhook!(json(recut(f)))).toEqual({ kind: "rejected", status: 400, reason });
  });

  it("refuses a sign that is not hex of the sign_type's length", async () => {
    const sign = makeSign(fields, SECRET);
    expect(await kess.verifyWebhook!(json({ ...fields, sign: `${sign}00` }))).toEqual({ kind: "rejected", status: 400, reason: "malformed sign" });
    expect(await kess.verifyWebhook!(json({ ...fields, sign_type: "HMAC-SHA256", sign }))).toEqual({ kind: "rejected", status: 400, reason: "malformed sign" });
  });

  it("accepts the simulator's full notification, with the seed's formats (null transaction id, ISO paid_at, trailing-space status)", async () => {
    const full = { ...fields, token: "44816b39953515cd6262b187", body: "Top-up alice", paid_at: "2022-07-18T10:44:53.000000Z", status: "SUCCESS ", transaction_id: null };
    expect(await kess.verifyWebhook!(json(recut(full)))).toEqual({ kind: "signal", reference });
  });

  it("a repeated delivery verifies again identically", async () => {
    const req = json(signed(fields));
    expect(await kess.verifyWebhook!(req)).toEqual(await kess.verifyWebhook!(req));
  });
});

describe("OAuth token", () => {
  it("many concurrent calls share one login", async () => {
    const p = provider();
    const before = sim.stats.passwordGrants;
    const ts = await Promise.all(Array.from({ length: 3 }, () => created(kess)));
    await Promise.all(Array.from({ length: 10 }, (_, i) => p.checkStatus!([ts[i % 3]!])));
    await p.checkStatus!([ts[0]!]);
    expect(sim.stats.passwordGrants - before).toBe(1);
  });

  it("is refreshed with the refresh token shortly before it expires, and re-logged after the refresh token is gone", async () => {
    let clock = Date.now();
    const p = provider({}, { now: () => clock });
    const t = await created(p);
    const { passwordGrants, refreshGrants } = sim.stats;
    clock += 1_700_000; // well inside the 1800 s lifetime: cached
    await p.checkStatus!([t]);
    expect(sim.stats).toMatchObject({ passwordGrants, refreshGrants });
    clock += 80_000; // 20 s before expiry
    await p.checkStatus!([t]);
    expect(sim.stats).toMatchObject({ passwordGrants, refreshGrants: refreshGrants + 1 });
    clock += 1800_000 + 15 * 60_000; // the new access token and its refresh token have both lapsed
    await p.checkStatus!([t]);
    expect(sim.stats).toMatchObject({ passwordGrants: passwordGrants + 1, refreshGrants: refreshGrants + 1 });
  });

  it("a 401 costs one fresh login, shared by concurrent callers, and the call is retried once", async () => {
    const p = provider();
    const ts = await Promise.all(Array.from({ length: 5 }, () => created(p)));
    sim.revokeTokens();
    const before = { ...sim.stats };
    const results = await Promise.all(ts.map((t) => p.checkStatus!([t])));
    expect(results.every(([r]) => r!.state === "pending")).toBe(true);
    expect(sim.stats.passwordGrants - before.passwordGrants).toBe(1);
    expect(sim.stats.refreshGrants - before.refreshGrants).toBe(0);
    expect(sim.stats.unauthorized - before.unauthorized).toBe(5);
  });

  it("an expired token at the gateway (short lifetime) is replaced", async () => {
    const shortSim = await startKessSimulator({ tokenTtlSeconds: 1 });
    try {
      // The adapter's clock stands still, so only the gateway's 401 can tell it the token expired.
      const frozen = Date.now();
      const p = createKessProvider(shortSim.config(), { log, now: () => frozen });
      const t = topUp();
      await p.create(t);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await p.checkStatus!([t])).toEqual([{ state: "pending" }]);
      expect(shortSim.stats).toMatchObject({ passwordGrants: 2, unauthorized: 1 });
    } finally {
      await shortSim.close();
    }
  });

  it("wrong credentials → rejected with a hint, and no secret in the message", async () => {
    const err = await rejection(provider({ password: "not-the-password" }).create(topUp()));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/KESS_PASSWORD/);
    expect(err.message).not.toContain("not-the-password");
  });
});

describe("gateway answers that never authenticate", () => {
  let stub: RunningServer;
  let logins = 0;
  let gateway: { status: number; body: string } = { status: 401, body: "{}" };

  beforeAll(async () => {
    const app = new Hono();
    app.post("/oauth/token", (c) => {
      logins++;
      return c.json({ token_type: "Bearer", expires_in: 1800, access_token: `t${logins}`, refresh_token: `r${logins}` });
    });
    app.post("/api/mch/v2/gateway", () => new Response(gateway.body, { status: gateway.status, headers: { "content-type": "application/json" } }));
    stub = await serveApp(app);
  });
  afterAll(() => stub.close());

  const stubbed = () => createKessProvider({ ...sim.config(), baseUrl: stub.url }, { log });

  it("a second 401 after the fresh login → rejected UNAUTHENTICATED, two logins in all", async () => {
    gateway = { status: 401, body: JSON.stringify({ success: false, code: "UNAUTHENTICATED", message: "Unauthenticated." }) };
    logins = 0;
    const err = await rejection(stubbed().checkStatus!([topUp()]));
    expect(err).toMatchObject({ kind: "rejected", opts: { code: "UNAUTHENTICATED" } });
    expect(logins).toBe(2);
  });

  it.each([
    ["not JSON", 200, "<html>maintenance</html>"],
    ["no success field", 200, "{\"data\":{}}"],
    ["success without an order", 200, "{\"success\":true,\"data\":{\"qrcode\":\"x\"}}"],
  ])("%s → invalid_response", async (_name, status, body) => {
    gateway = { status, body };
    expect((await rejection(stubbed().checkStatus!([topUp()]))).kind).toBe("invalid_response");
  });

  it("a QR for another amount is never handed to a customer", async () => {
    const t = topUp();
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "khqr@kess" }, merchantName: "KESS", merchantCity: "Phnom Penh",
      currency: "USD", amountMinor: 100, expiresAt: Date.now() + 60_000,
    });
    gateway = {
      status: 200,
      body: JSON.stringify({
        success: true,
        data: { qrcode: qr, order_info: { token: "abc", out_trade_no: t.reference, total_amount: 12.5, currency: "USD", status: "WAITING" } },
      }),
    };
    expect((await rejection(stubbed().create(t))).kind).toBe("invalid_response");
  });

  it("an order of another amount is refused", async () => {
    const t = topUp();
    gateway = {
      status: 200,
      body: JSON.stringify({ success: true, data: { qrcode: "x", order_info: { token: "a", out_trade_no: t.reference, total_amount: 1, currency: "USD", status: "WAITING" } } }),
    };
    expect((await rejection(stubbed().create(t))).kind).toBe("invalid_response");
  });

  it("success: false on HTTP 200 → rejected with the gateway's words", async () => {
    gateway = { status: 200, body: JSON.stringify({ success: false, code: "PROCESS_FAILED", message: "Seller is suspended." }) };
    const err = await rejection(stubbed().checkStatus!([topUp()]));
    expect(err).toMatchObject({ kind: "rejected", opts: { code: "PROCESS_FAILED" } });
    expect(err.message).toMatch(/Seller is suspended/);
  });
});

describe("cancel → closeorder", () => {
  it("closes a waiting order; it then reads as expired; closing again is fine", async () => {
    const t = await created(kess);
    await kess.cancel!(t);
    expect(sim.order(t.reference)!.status).toBe("CLOSED");
    expect(await kess.checkStatus!([t])).toEqual([{ state: "expired" }]);
    await expect(kess.cancel!(t)).resolves.toBeUndefined();
  });

  it("a paid order is not treated as closed", async () => {
    const t = await created(kess);
    await sim.pay({ reference: t.reference });
    const err = await rejection(kess.cancel!(t));
    expect(err).toMatchObject({ kind: "rejected", opts: { code: "ALREADY_PAID" } });
    expect(err.message).toMatch(/already paid/);
    expect(sim.order(t.reference)!.status).toBe("SUCCESS");
  });

  it("an order KESS never created needs no closing", async () => {
    await expect(kess.cancel!(topUp())).resolves.toBeUndefined();
  });
});

describe("refund → v2Refund", () => {
  const wing = () => provider({ serviceCode: "WING" });

  it("partial, then the rest", async () => {
    const p = wing();
    const t = await created(p);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    const first = await p.refund!(t, providerTxnId, 500, "customer asked");
    expect(first).toMatchObject({ status: "refunded", providerRef: expect.stringMatching(/^RF/) });
    expect(sim.order(t.reference)).toMatchObject({ status: "PARTIAL_REFUNDED", refundedMinor: 500 });
    expect(sim.order(t.reference)!.refunds[0]).toMatchObject({ amount: 5, currency: "USD", reason: "customer asked" });
    expect(await p.refund!(t, providerTxnId, 750, "rest")).toMatchObject({ status: "refunded" });
    expect(sim.order(t.reference)).toMatchObject({ status: "REFUNDED", refundedMinor: 1250 });
    const [status] = await p.checkStatus!([t]);
    expect(status).toMatchObject({ state: "failed", reason: expect.stringMatching(/refunded to the payer: 5.00 USD, 7.50 USD/) });
  });

  it("full", async () => {
    const p = wing();
    const t = await created(p);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    expect(await p.refund!(t, providerTxnId, 1250, "duplicate payment")).toMatchObject({ status: "refunded" });
    expect(sim.order(t.reference)).toMatchObject({ status: "REFUNDED", refundedMinor: 1250 });
  });

  it("KHQR payments cannot be refunded through KESS: unsupported, without a call", async () => {
    const t = await created(kess);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    const calls = sim.stats.calls["webpay.acquire.v2Refund"] ?? 0;
    const r = await kess.refund!(t, providerTxnId, 1250, "x");
    expect(r).toMatchObject({ status: "unsupported", message: expect.stringMatching(/KHQR.*bank transfer/) });
    expect(sim.stats.calls["webpay.acquire.v2Refund"] ?? 0).toBe(calls);
  });

  it("the gateway saying the method is not supported → unsupported", async () => {
    const p = wing();
    const t = await created(p);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    sim.setRefundsSupported(false);
    expect(await p.refund!(t, providerTxnId, 1250, "x")).toMatchObject({ status: "unsupported", message: expect.stringMatching(/not supported/) });
  });

  it("a gateway error → failed with its message", async () => {
    const p = wing();
    const t = await created(p);
    const r = await p.refund!(t, "TR-none", 1250, "not paid yet");
    expect(r).toMatchObject({ status: "failed", message: expect.stringMatching(/WAITING/) });
    expect(await p.refund!(t, "TR-none", 1251, "too much")).toMatchObject({ status: "failed" });
  });

  it("a 5xx → failed, telling the admin to check before repeating", async () => {
    const p = wing();
    const t = await created(p);
    const { providerTxnId } = await sim.pay({ reference: t.reference });
    Object.assign(sim.apiFaults, { mode: "http500", remaining: 1 });
    expect(await p.refund!(t, providerTxnId, 1250, "x")).toMatchObject({ status: "failed", message: expect.stringMatching(/check the KESS dashboard/) });
  });
});

describe("order status mapping", () => {
  const reference = "26010112345678";
  const ours = { reference, currency: "USD" as const };
  const order = (status: string, more: Partial<OrderInfo> = {}): OrderInfo => ({
    token: "44816b39953515cd6262b187", out_trade_no: reference, transaction_id: "TR2601-1", total_amount: 10.5, currency: "USD", status, ...more,
  });

  it.each([
    ["WAITING", { state: "pending" }],
    ["WAITING ", { state: "pending" }],
    ["PENDING", { state: "pending" }],
    ["SUCCESS", { state: "paid", observations: [{ provider: "kess", providerTxnId: "TR2601-1", reference, amountMinor: 1050, currency: "USD" }] }],
    ["CLOSED", { state: "expired" }],
    ["EXPIRED", { state: "expired" }],
    ["FAILED", { state: "failed", reason: expect.stringMatching(/failed/) }],
    ["REFUNDED", { state: "failed", reason: expect.stringMatching(/^KESS: the payment was refunded/) }],
    ["PENDING_REFUNDED", { state: "failed", reason: expect.stringMatching(/refunded.*pending/) }],
    ["PARTIAL_REFUNDED", { state: "failed", reason: expect.stringMatching(/partially refunded/) }],
    ["PENDING_PARTIAL_REFUND", { state: "failed", reason: expect.stringMatching(/partially refunded.*pending/) }],
  ])("%s", (status, expected) => {
    expect(orderStatusResult(order(status), ours, {})).toMatchObject(expected);
  });

  it.each([
    ["an unknown status", order("MAYBE")],
    ["another order", order("SUCCESS", { out_trade_no: "26010100000000" })],
  ])("%s → invalid_response", (_name, o) => {
    expect(() => orderStatusResult(o, ours, {})).toThrow(expect.objectContaining({ kind: "invalid_response" }));
  });

  it.each([
    ["without a transaction id", order("SUCCESS", { transaction_id: null }), { providerTxnId: `order:${reference}`, amountMinor: 1050 }, undefined],
    ["with an empty transaction id", order("SUCCESS", { transaction_id: "" }), { providerTxnId: `order:${reference}`, amountMinor: 1050 }, undefined],
    ["in another currency", order("SUCCESS", { currency: "THB" }), { amountMinor: 0, currency: "USD" }, 'KESS reports the payment in "THB", which is neither USD nor KHR (the amount 10.5)'],
    ["with an inexact amount", order("SUCCESS", { total_amount: "10.555" }), { amountMinor: 1055, currency: "USD" }, 'KESS reports the amount "10.555", which is not an exact USD amount'],
  ])("SUCCESS %s → a payment, held when odd", (_name, o, fields, holdReason) => {
    const result = orderStatusResult(o, ours, {});
    expect(result).toMatchObject({ state: "paid", observations: [{ provider: "kess", reference, ...fields }] });
    expect((result as Extract<StatusResult, { state: "paid" }>).observations[0]!.holdReason).toBe(holdReason);
  });

  it("KHR amounts are whole riel", () => {
    expect(orderStatusResult(order("SUCCESS", { total_amount: 40000, currency: "khr" }), ours, {})).toMatchObject({
      state: "paid", observations: [{ amountMinor: 40000, currency: "KHR" }],
    });
  });

  it("through the simulator: each status an order can be in", async () => {
    const t = await created(kess);
    sim.setOrderStatus(t.reference, "PENDING_REFUNDED", "TR2601-9");
    expect((await kess.checkStatus!([t]))[0]).toMatchObject({ state: "failed" });
    sim.setOrderStatus(t.reference, "CLOSED");
    expect((await kess.checkStatus!([t]))[0]).toEqual({ state: "expired" });
  });

  it("an order KESS does not know is pending until the top-up expires, then expired", async () => {
    expect(await kess.checkStatus!([topUp()])).toEqual([{ state: "pending" }]);
    expect(await kess.checkStatus!([topUp({ expiresAt: new Date(Date.now() - 1) })])).toEqual([{ state: "expired" }]);
  });
});

describe("error mapping", () => {
  it.each(Object.entries(GATEWAY_ERRORS))("%s", (code, e) => {
    const byBody = gatewayError({ status: e.status, headers: {}, text: JSON.stringify({ success: false, code, message: "Details." }) });
    expect(byBody).toMatchObject({ kind: e.kind, opts: { code } });
    expect(byBody.message).toBe(`${e.message}: Details.`);
    const byStatus = gatewayError({ status: e.status, headers: {}, text: "<html>" });
    expect(byStatus).toMatchObject({ kind: e.kind, opts: { code }, message: e.message });
  });

  it("429 → rate_limited with Retry-After", () => {
    expect(gatewayError({ status: 429, headers: { "retry-after": "7" }, text: "" })).toMatchObject({ kind: "rate_limited", opts: { retryAfterMs: 7000 } });
  });

  it("undocumented 5xx → unavailable, 4xx → rejected", () => {
    expect(gatewayError({ status: 502, headers: {}, text: "" }).kind).toBe("unavailable");
    expect(gatewayError({ status: 418, headers: {}, text: "" }).kind).toBe("rejected");
  });

  it("Laravel validation details are kept", () => {
    const err = gatewayError({ status: 400, headers: {}, text: JSON.stringify({ message: "The given data was invalid.", errors: { out_trade_no: ["The out trade no has already been taken."] } }) });
    expect(err.message).toMatch(/already been taken/);
  });

  it("a wrong API secret → the gateway's invalid-signature refusal, with a hint", async () => {
    const t = topUp();
    const err = await rejection(provider({ apiSecret: "wrong" }).create(t));
    expect(err).toMatchObject({ kind: "rejected", opts: { code: "VALIDATION_ERROR" } });
    expect(err.message).toMatch(/KESS_API_SECRET/);
    expect(sim.order(t.reference)).toBeUndefined();
  });

  it("HMAC-SHA256 requests are signed and accepted too", async () => {
    const c = await provider({ signType: "HMAC-SHA256" }).create(topUp());
    expect(c.qr).toBeDefined();
  });
});

describe("faults", () => {
  let p: PaymentProvider;
  let t: TopUpRef;
  beforeEach(async () => {
    p = provider({}, { timeoutMs: 500 });
    t = await created(p); // the token is cached, so the fault hits the gateway call
  });

  it("HTTP 500 → unavailable", async () => {
    Object.assign(sim.apiFaults, { mode: "http500", remaining: 1 });
    expect(await rejection(p.checkStatus!([t]))).toMatchObject({ kind: "unavailable", opts: { code: "SYSTEM_ERROR" } });
    expect(await p.checkStatus!([t])).toEqual([{ state: "pending" }]);
  });

  it("HTTP 429 → rate_limited with Retry-After", async () => {
    Object.assign(sim.apiFaults, { mode: "http429", remaining: 1 });
    expect(await rejection(p.checkStatus!([t]))).toMatchObject({ kind: "rate_limited", opts: { retryAfterMs: 2000 } });
  });

  it("no answer in time → unavailable, saying it may have been applied", async () => {
    Object.assign(sim.apiFaults, { mode: "timeout", remaining: 1 });
    const err = await rejection(p.create(topUp()));
    expect(err.kind).toBe("unavailable");
    expect(err.message).toMatch(/may have been applied/);
  });

  it("the login endpoint failing → unavailable", async () => {
    Object.assign(sim.apiFaults, { mode: "http500", remaining: 1 });
    expect((await rejection(provider().checkStatus!([t]))).kind).toBe("unavailable");
  });

  it("nothing listening → unavailable", async () => {
    const err = await rejection(createKessProvider({ ...sim.config(), baseUrl: "http://127.0.0.1:9" }, { log }).create(topUp()));
    expect(err.kind).toBe("unavailable");
  });
});
