import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BakongConfig } from "../../src/config/config.js";
import { decodeKhqr, khqrMd5 } from "../../src/khqr/index.js";
import type { Currency } from "../../src/money/money.js";
import { ProviderError, type PaymentProvider, type StatusResult, type TopUpRef } from "../../src/payments/provider.js";
import { createBakongProvider, maskBakongAccount } from "../../src/payments/providers/bakong/bakong.js";
import { noApiFaults } from "../../sandbox/faults.js";
import { startBakongSimulator, type BakongListMode, type BakongPayment, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const TOKEN = "bakong-test-token-0123456789";
const ACCOUNT = "topup_bot@aclb";
const log = pino({ level: "silent" });

let sim: BakongSimulator;

function provider(over: Partial<BakongConfig> = {}, timeoutMs?: number): PaymentProvider {
  return createBakongProvider(
    { apiUrl: sim.url, token: TOKEN, accountId: ACCOUNT, ...over },
    { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh", timeoutMs },
  );
}

let sequence = 0;
async function createdTopUp(p: PaymentProvider, amountMinor: number, currency: Currency): Promise<TopUpRef> {
  const now = Date.now();
  const topUp: TopUpRef = {
    reference: `BK${now.toString(36)}${++sequence}`,
    amountMinor,
    currency,
    panelLogin: "alice",
    createdAt: new Date(now),
    expiresAt: new Date(now + 10 * 60_000),
  };
  const created = await p.create(topUp);
  return { ...topUp, qr: created.qr!, md5: created.md5! };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

beforeAll(async () => {
  sim = await startBakongSimulator({ token: TOKEN, payerAccountId: "abcdef@aclb", timeoutHoldMs: 1_500 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  Object.assign(sim.apiFaults, noApiFaults());
  sim.listMode = "array";
  sim.refuseNextLists = 0;
  sim.deeplinkMode = "ok";
  sim.resetCalls();
});

describe("Bakong create", () => {
  it("builds an individual KHQR (tag 29) for our account with amount, currency, bill number and expiry", async () => {
    const fixed = createBakongProvider(
      { apiUrl: "http://127.0.0.1:1", token: TOKEN, accountId: ACCOUNT },
      { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh", now: () => 1_759_805_345_337 },
    );
    const topUp: TopUpRef = {
      reference: "TOPUP-0001",
      amountMinor: 1050,
      currency: "USD",
      panelLogin: "alice",
      createdAt: new Date(1_759_805_345_337),
      expiresAt: new Date(1_759_805_945_337),
    };
    const created = await fixed.create(topUp);
    expect(created.md5).toBe(khqrMd5(created.qr!));
    expect(created.qr).toMatch(/^000201010212/);
    const decoded = decodeKhqr(created.qr!);
    if (!decoded.ok) throw decoded.error;
    expect(decoded.value.account).toMatchObject({ kind: "individual", bakongAccountId: ACCOUNT });
    expect(decoded.value.amountMinor).toBe(1050);
    expect(decoded.value.currency).toBe("USD");
    expect(decoded.value.billNumber).toBe("TOPUP-0001");
    expect(decoded.value.createdAt).toBe(1_759_805_345_337);
    expect(decoded.value.expiresAt).toBe(1_759_805_945_337);
    expect(decoded.value.merchantName).toBe("SMM TOPUP");
  });

  it("declares a polled QR provider without webhooks", () => {
    expect(provider().capabilities).toEqual({
      presentation: "qr",
      statusApi: true,
      webhook: false,
      signedWebhook: false,
      pollConcurrency: 2,
      pollBatch: 50,
    });
    expect(provider().verifyWebhook).toBeUndefined();
  });
});

describe("Bakong polling a single top-up", () => {
  it("is pending before the payment, then paid with Bakong's hash, the exact amount and our reference", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 1050, "USD");
    expect(await p.checkStatus!([topUp])).toEqual([{ state: "pending" }]);

    const { providerTxnId } = await sim.pay({ reference: topUp.reference, qr: topUp.qr });
    expect(providerTxnId).toMatch(/^[0-9a-f]{64}$/);

    const [result] = await p.checkStatus!([topUp]);
    expect(result).toEqual({
      state: "paid",
      observations: [
        {
          provider: "bakong",
          providerTxnId,
          md5: topUp.md5,
          reference: topUp.reference,
          amountMinor: 1050,
          currency: "USD",
          payer: "ab***@aclb",
          raw: expect.objectContaining({ responseCode: 0 }),
        },
      ],
    });
    // One top-up needs no list call.
    expect(sim.calls).toMatchObject({ byMd5: 2, byMd5List: 0 });
  });

  it("reads whole riel amounts and the md5 from the QR when the top-up lacks it", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 40_000, "KHR");
    await sim.pay({ reference: topUp.reference, qr: topUp.qr });
    const [result] = await p.checkStatus!([{ ...topUp, md5: null }]);
    expect(result).toMatchObject({ state: "paid", observations: [{ amountMinor: 40_000, currency: "KHR", md5: topUp.md5 }] });
  });

  it("holds a payment to another receiving account: an observation with a hold reason, never dropped", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 500, "USD");
    const { providerTxnId } = await sim.pay({ reference: topUp.reference, qr: topUp.qr, toAccountId: "someone_else@aclb" });
    const [result] = await p.checkStatus!([topUp]);
    expect(result).toMatchObject({ state: "paid", observations: [{ providerTxnId, reference: topUp.reference, amountMinor: 500, currency: "USD" }] });
    const obs = (result as Extract<StatusResult, { state: "paid" }>).observations[0]!;
    expect(obs.holdReason).toBe(`Bakong reports this QR paid to someone_else@aclb, not to our account ${ACCOUNT}`);
  });

  it("compares the receiving account without regard to letter case", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 500, "USD");
    await sim.pay({ reference: topUp.reference, qr: topUp.qr, toAccountId: ACCOUNT.toUpperCase() });
    const [result] = await p.checkStatus!([topUp]);
    expect(result).toMatchObject({ state: "paid", observations: [{ amountMinor: 500 }] });
    expect((result as Extract<StatusResult, { state: "paid" }>).observations[0]!.holdReason).toBeUndefined();
  });

  it("reports a failed transaction (errorCode 3) as failed", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 500, "USD");
    await sim.pay({ reference: topUp.reference, qr: topUp.qr, failed: true });
    expect(await p.checkStatus!([topUp])).toEqual([{ state: "failed", reason: expect.stringMatching(/failed/i) }]);
  });

  it("fails a top-up that has neither md5 nor QR", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 500, "USD");
    expect(await p.checkStatus!([{ ...topUp, md5: null, qr: null }])).toEqual([{ state: "failed", reason: expect.any(String) }]);
  });
});

describe("Bakong batched polling", () => {
  async function threeTopUps(p: PaymentProvider) {
    const paidUsd = await createdTopUp(p, 1050, "USD");
    const paidKhr = await createdTopUp(p, 40_000, "KHR");
    const unpaid = await createdTopUp(p, 100, "USD");
    const a = await sim.pay({ reference: paidUsd.reference, qr: paidUsd.qr });
    const b = await sim.pay({ reference: paidKhr.reference, qr: paidKhr.qr });
    return { topUps: [paidUsd, unpaid, paidKhr], hashes: [a.providerTxnId, b.providerTxnId] };
  }

  function expectPaidPendingPaid(results: StatusResult[], topUps: TopUpRef[], hashes: string[]) {
    expect(results).toEqual([
      { state: "paid", observations: [expect.objectContaining({ providerTxnId: hashes[0], reference: topUps[0]!.reference, amountMinor: 1050, currency: "USD" })] },
      { state: "pending" },
      { state: "paid", observations: [expect.objectContaining({ providerTxnId: hashes[1], reference: topUps[2]!.reference, amountMinor: 40_000, currency: "KHR" })] },
    ]);
  }

  const expectedCalls: Record<BakongListMode, { first: object; second: object }> = {
    // array is tried first: one list call, then one confirmation per paid md5
    array: { first: { byMd5List: 1, byMd5: 2 }, second: { byMd5List: 1, byMd5: 2 } },
    // array is refused (400), object works and is remembered
    object: { first: { byMd5List: 2, byMd5: 2 }, second: { byMd5List: 1, byMd5: 2 } },
    // 404: one md5 at a time from then on
    absent: { first: { byMd5List: 1, byMd5: 3 }, second: { byMd5List: 0, byMd5: 3 } },
  };

  for (const listMode of ["array", "object", "absent"] as const) {
    it(`confirms paid top-ups and leaves the others pending with the list endpoint in "${listMode}" mode`, async () => {
      sim.listMode = listMode;
      const p = provider();
      const { topUps, hashes } = await threeTopUps(p);
      expectPaidPendingPaid(await p.checkStatus!(topUps), topUps, hashes);
      expect(sim.calls).toMatchObject(expectedCalls[listMode].first);

      sim.resetCalls();
      expectPaidPendingPaid(await p.checkStatus!(topUps), topUps, hashes);
      expect(sim.calls).toMatchObject(expectedCalls[listMode].second);
    });
  }

  it("switches to the other body shape when the remembered one stops working", async () => {
    const p = provider();
    const { topUps, hashes } = await threeTopUps(p);
    await p.checkStatus!(topUps); // learns "array"
    sim.listMode = "object";
    sim.resetCalls();
    expectPaidPendingPaid(await p.checkStatus!(topUps), topUps, hashes);
    expect(sim.calls).toMatchObject({ byMd5List: 2, byMd5: 2 });
  });

  it("makes no confirmation call when nothing is paid, and splits more than 50 top-ups into list calls of 50", async () => {
    const p = provider();
    const topUps = await Promise.all(Array.from({ length: 60 }, () => createdTopUp(p, 100, "USD")));
    const results = await p.checkStatus!(topUps);
    expect(results).toHaveLength(60);
    expect(results.every((r) => r.state === "pending")).toBe(true);
    expect(sim.calls).toMatchObject({ byMd5List: 2, byMd5: 0 });
  });

  it("finds a mismatched receiving account in a batch too, and holds only that one", async () => {
    const p = provider();
    const good = await createdTopUp(p, 100, "USD");
    const bad = await createdTopUp(p, 200, "USD");
    await sim.pay({ reference: good.reference, qr: good.qr });
    await sim.pay({ reference: bad.reference, qr: bad.qr, toAccountId: "thief@abaa" });
    const results = await p.checkStatus!([good, bad]);
    expect(results.map((r) => r.state)).toEqual(["paid", "paid"]);
    const [okObs, heldObs] = results.map((r) => (r as Extract<StatusResult, { state: "paid" }>).observations[0]!);
    expect(okObs!.holdReason).toBeUndefined();
    expect(heldObs!.holdReason).toMatch(/thief@abaa/);
  });

  describe("one odd item does not stall the batch", () => {
    async function batchWithOdd(odd: BakongPayment["odd"]) {
      const p = provider();
      const paid = await createdTopUp(p, 1050, "USD");
      const unpaid = await createdTopUp(p, 100, "USD");
      const oddOne = await createdTopUp(p, 300, "USD");
      const later = await createdTopUp(p, 40_000, "KHR");
      const a = await sim.pay({ reference: paid.reference, qr: paid.qr });
      const b = await sim.pay({ reference: oddOne.reference, qr: oddOne.qr, odd });
      const c = await sim.pay({ reference: later.reference, qr: later.qr });
      const results = await p.checkStatus!([paid, unpaid, oddOne, later]);
      return { results, hashes: [a.providerTxnId, b.providerTxnId, c.providerTxnId] };
    }
    const observationOf = (r: StatusResult | undefined) => (r as Extract<StatusResult, { state: "paid" }>).observations[0]!;

    it("an inexact amount is held, rounded down to the cent; the others are confirmed", async () => {
      const { results, hashes } = await batchWithOdd({ amountJson: "3.005" });
      expect(results.map((r) => r.state)).toEqual(["paid", "pending", "paid", "paid"]);
      expect(observationOf(results[0])).toMatchObject({ providerTxnId: hashes[0], amountMinor: 1050 });
      expect(observationOf(results[2])).toMatchObject({ providerTxnId: hashes[1], amountMinor: 300, holdReason: "Bakong reports the amount 3.005, which is not an exact USD amount" });
      expect(observationOf(results[3])).toMatchObject({ providerTxnId: hashes[2], amountMinor: 40_000, currency: "KHR" });
      expect(observationOf(results[3]).holdReason).toBeUndefined();
    });

    it("an unknown currency is held with what Bakong said", async () => {
      const { results } = await batchWithOdd({ currency: "EUR" });
      expect(results.map((r) => r.state)).toEqual(["paid", "pending", "paid", "paid"]);
      expect(observationOf(results[2]).holdReason).toBe('Bakong reports the payment in "EUR", which is neither USD nor KHR (the amount 3)');
    });

    it("an amount and currency sent as strings of any case are read as usual", async () => {
      const { results } = await batchWithOdd({ amountJson: '"3.00"', currency: "usd" });
      expect(observationOf(results[2])).toMatchObject({ amountMinor: 300, currency: "USD" });
      expect(observationOf(results[2]).holdReason).toBeUndefined();
    });

    it("an unreadable answer leaves only its own top-up pending, to be checked again", async () => {
      const { results } = await batchWithOdd({ unreadable: true });
      expect(results.map((r) => r.state)).toEqual(["paid", "pending", "pending", "paid"]);
      // The malformed list item did not push the adapter off the list endpoint for good.
      sim.resetCalls();
      const p = provider();
      const more = [await createdTopUp(p, 100, "USD"), await createdTopUp(p, 100, "USD")];
      await p.checkStatus!(more);
      expect(sim.calls).toMatchObject({ byMd5List: 1, byMd5: 0 });
    });

    for (const listMode of ["array", "object", "absent"] as const) {
      it(`the same holds with the list endpoint in "${listMode}" mode`, async () => {
        sim.listMode = listMode;
        const { results } = await batchWithOdd({ unreadable: true });
        expect(results.map((r) => r.state)).toEqual(["paid", "pending", "pending", "paid"]);
      });
    }
  });

  it("a list call refused for one batch checks that batch one by one and keeps using the list afterwards", async () => {
    const p = provider();
    const { topUps, hashes } = await threeTopUps(p);
    await p.checkStatus!(topUps); // learns "array"
    sim.refuseNextLists = 2;
    sim.resetCalls();
    expectPaidPendingPaid(await p.checkStatus!(topUps), topUps, hashes);
    expect(sim.calls).toMatchObject({ byMd5List: 2, byMd5: 3 });
    sim.resetCalls();
    expectPaidPendingPaid(await p.checkStatus!(topUps), topUps, hashes);
    expect(sim.calls).toMatchObject({ byMd5List: 1, byMd5: 2 });
  });
});

describe("Bakong errors from the simulator", () => {
  it("wrong token → rejected with a renewal hint, on single and list calls", async () => {
    const p = provider({ token: "expired-token" });
    const one = await createdTopUp(p, 100, "USD");
    const two = await createdTopUp(p, 100, "USD");
    for (const batch of [[one], [one, two]]) {
      const err = await rejection(p.checkStatus!(batch));
      expect(err.kind).toBe("rejected");
      expect(err.message).toBe("Bakong token is invalid or expired: renew BAKONG_TOKEN");
      expect(err.message).not.toContain("expired-token");
    }
  });

  it("HTTP 429 → rate_limited with Retry-After", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 100, "USD");
    Object.assign(sim.apiFaults, { mode: "http429", remaining: 1 });
    const err = await rejection(p.checkStatus!([topUp]));
    expect(err.kind).toBe("rate_limited");
    expect(err.opts.retryAfterMs).toBe(1000);
    expect(await p.checkStatus!([topUp])).toEqual([{ state: "pending" }]);
  });

  it("HTTP 5xx → unavailable, on single and list calls", async () => {
    const p = provider();
    const one = await createdTopUp(p, 100, "USD");
    const two = await createdTopUp(p, 100, "USD");
    for (const batch of [[one], [one, two]]) {
      Object.assign(sim.apiFaults, { mode: "http500", remaining: 1 });
      expect((await rejection(p.checkStatus!(batch))).kind).toBe("unavailable");
    }
  });

  it("no answer in time → unavailable", async () => {
    const p = provider({}, 300);
    const topUp = await createdTopUp(p, 100, "USD");
    Object.assign(sim.apiFaults, { mode: "timeout", remaining: 1 });
    expect((await rejection(p.checkStatus!([topUp]))).kind).toBe("unavailable");
  });

  it("nothing listening → unavailable", async () => {
    const p = provider({ apiUrl: "http://127.0.0.1:1" });
    const topUp = await createdTopUp(p, 100, "USD");
    expect((await rejection(p.checkStatus!([topUp]))).kind).toBe("unavailable");
  });
});

describe("Bakong answers from a stub server", () => {
  let stub: RunningServer;
  let answer: { status: number; body: string; headers?: Record<string, string> };

  beforeAll(async () => {
    const app = new Hono();
    app.post("/v1/*", (c) => c.body(answer.body, answer.status as 200, { "content-type": "application/json", ...answer.headers }));
    stub = await serveApp(app);
  });
  afterAll(async () => {
    await stub.close();
  });

  const stubProvider = () => createBakongProvider({ apiUrl: stub.url, token: TOKEN, accountId: ACCOUNT }, { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh" });
  const oneTopUp = async () => createdTopUp(stubProvider(), 100, "USD");
  const envelopeError = (errorCode: number, message = "error") => JSON.stringify({ responseCode: 1, responseMessage: message, errorCode, data: null });

  const rejectedCodes: [number, RegExp][] = [
    [2, /dynamic KHQR only/],
    [4, /deeplink/],
    [5, /missing required fields/],
    [6, /^Bakong token is invalid or expired: renew BAKONG_TOKEN$/],
    [7, /email service/],
    [8, /already registered/],
    [9, /cannot connect/],
    [10, /not registered/],
    [42, /Bakong error 42/],
  ];
  for (const [code, message] of rejectedCodes) {
    it(`errorCode ${code} → rejected with a readable message`, async () => {
      answer = { status: 200, body: envelopeError(code) };
      const err = await rejection(stubProvider().checkStatus!([await oneTopUp()]));
      expect(err.kind).toBe("rejected");
      expect(err.opts.code).toBe(code);
      expect(err.message).toMatch(message);
    });
  }

  it("HTTP 401 with errorCode 6 → rejected token", async () => {
    answer = { status: 401, body: envelopeError(6, "Unauthorized") };
    expect((await rejection(stubProvider().checkStatus!([await oneTopUp()]))).message).toMatch(/renew BAKONG_TOKEN/);
  });

  it("HTTP 403 → rejected, mentioning calls from outside Cambodia", async () => {
    answer = { status: 403, body: "<html>Forbidden</html>" };
    const err = await rejection(stubProvider().checkStatus!([await oneTopUp()]));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/outside Cambodia/);
  });

  it("HTTP 429 with an HTTP-date Retry-After → rate_limited", async () => {
    answer = { status: 429, body: "", headers: { "retry-after": new Date(Date.now() + 5_000).toUTCString() } };
    const err = await rejection(stubProvider().checkStatus!([await oneTopUp()]));
    expect(err.kind).toBe("rate_limited");
    expect(err.opts.retryAfterMs).toBeGreaterThan(2_000);
  });

  it("HTTP 502 → unavailable", async () => {
    answer = { status: 502, body: "bad gateway" };
    expect((await rejection(stubProvider().checkStatus!([await oneTopUp()]))).kind).toBe("unavailable");
  });

  const paidBody = (data: Record<string, unknown>) => JSON.stringify({ responseCode: 0, responseMessage: "ok", errorCode: null, data });
  const goodData = { hash: "ab".repeat(32), fromAccountId: "abcdef@aclb", toAccountId: ACCOUNT, currency: "USD", amount: 1.0, description: "x" };

  const invalidAnswers: [string, string][] = [
    ["not JSON", "<html>oops</html>"],
    ["paid without data", paidBody(null as unknown as Record<string, unknown>)],
    ["paid without hash", paidBody({ ...goodData, hash: undefined })],
  ];
  for (const [name, body] of invalidAnswers) {
    it(`${name} → invalid_response, never paid`, async () => {
      answer = { status: 200, body };
      const err = await rejection(stubProvider().checkStatus!([await oneTopUp()]));
      expect(err.kind).toBe("invalid_response");
      expect(String(err.opts.cause)).toContain(name === "not JSON" ? "oops" : "responseCode");
    });
  }

  const heldAnswers: [string, string, number, RegExp | undefined][] = [
    ["amount as text", paidBody({ ...goodData, amount: "1.00" }), 100, undefined],
    ["unknown currency", paidBody({ ...goodData, currency: "EUR" }), 0, /neither USD nor KHR/],
    ["inexact amount", paidBody({ ...goodData, amount: 1.005 }), 100, /1\.005, which is not an exact USD amount/],
    ["amount missing", paidBody({ ...goodData, amount: undefined }), 0, /Bakong reports no amount, which is not an exact USD amount/],
    ["receiving account missing", paidBody({ ...goodData, toAccountId: undefined }), 100, /unnamed account/],
    ["payer account as a number, description as an object", paidBody({ ...goodData, fromAccountId: 855123456, description: { a: 1 } }), 100, undefined],
  ];
  for (const [name, body, amountMinor, reason] of heldAnswers) {
    it(`${name} → ${reason ? "held" : "paid"}, never dropped`, async () => {
      answer = { status: 200, body };
      const [result] = await stubProvider().checkStatus!([await oneTopUp()]);
      expect(result).toMatchObject({ state: "paid", observations: [{ providerTxnId: "ab".repeat(32), amountMinor }] });
      const obs = (result as Extract<StatusResult, { state: "paid" }>).observations[0]!;
      if (reason) expect(obs.holdReason).toMatch(reason);
      else expect(obs.holdReason).toBeUndefined();
    });
  }

  it("a list answer of an unknown shape falls back to one md5 at a time", async () => {
    const p = stubProvider();
    const topUps = [await oneTopUp(), await oneTopUp()];
    answer = { status: 200, body: JSON.stringify({ something: "else" }) };
    // The single call gets the same unknown answer, so it is an invalid response — but only after the fallback.
    expect((await rejection(p.checkStatus!(topUps))).kind).toBe("invalid_response");
    answer = { status: 200, body: envelopeError(1, "not found") };
    expect(await p.checkStatus!(topUps)).toEqual([{ state: "pending" }, { state: "pending" }]);
  });

  it("masks payer accounts", () => {
    expect(maskBakongAccount("abcdef@aclb")).toBe("ab***@aclb");
    expect(maskBakongAccount("x@wing")).toBe("x***@wing");
    expect(maskBakongAccount("85512345678")).toBe("85***");
  });
});

describe("Bakong simulator", () => {
  const post = (path: string, body: unknown, token = TOKEN) =>
    fetch(`${sim.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("writes amounts as JSON numbers with a decimal point and answers by hash too", async () => {
    const p = provider();
    const usd = await createdTopUp(p, 100, "USD");
    const khr = await createdTopUp(p, 40_000, "KHR");
    const paid = await sim.pay({ reference: usd.reference, qr: usd.qr });
    await sim.pay({ reference: khr.reference, qr: khr.qr });
    expect(await (await post("/v1/check_transaction_by_md5", { md5: usd.md5 })).text()).toContain('"amount":1.0,');
    expect(await (await post("/v1/check_transaction_by_md5", { md5: khr.md5 })).text()).toContain('"amount":40000.0,');
    const byHash = (await (await post("/v1/check_transaction_by_hash", { hash: paid.providerTxnId })).json()) as { data: { toAccountId: string } };
    expect(byHash.data.toAccountId).toBe(ACCOUNT);
    expect(sim.calls.byHash).toBe(1);
  });

  it("answers errorCode 6 to a wrong token and checks accounts", async () => {
    const res = await post("/v1/check_transaction_by_md5", { md5: "0".repeat(32) }, "wrong");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ responseCode: 1, errorCode: 6 });
    const p = provider();
    const topUp = await createdTopUp(p, 100, "USD");
    await sim.pay({ reference: topUp.reference, qr: topUp.qr });
    expect(await (await post("/v1/check_bakong_account", { accountId: ACCOUNT })).json()).toMatchObject({ responseCode: 0 });
    expect(await (await post("/v1/check_bakong_account", { accountId: "nobody@aclb" })).json()).toMatchObject({ responseCode: 1, errorCode: 11 });
    expect(sim.calls.account).toBe(2);
  });

  it("refuses expired, static, invalid and already-paid QRs", async () => {
    const p = provider();
    const past = createBakongProvider(
      { apiUrl: sim.url, token: TOKEN, accountId: ACCOUNT },
      { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh", now: () => Date.now() - 20 * 60_000 },
    );
    const expired = await past.create({
      reference: "OLD-1", amountMinor: 100, currency: "USD", panelLogin: "a",
      createdAt: new Date(Date.now() - 20 * 60_000), expiresAt: new Date(Date.now() - 10 * 60_000),
    });
    await expect(sim.pay({ reference: "OLD-1", qr: expired.qr })).rejects.toThrow(/expired/);
    const staticQr = "00020101021129170013merchant@nbcq5204599953038405802KH5917Lucky Supermarket6010Phnom Penh6304FBE4";
    await expect(sim.pay({ reference: "S", qr: staticQr })).rejects.toThrow(/dynamic/);
    await expect(sim.pay({ reference: "S", qr: "0002010102" })).rejects.toThrow(/valid KHQR/);
    const topUp = await createdTopUp(p, 100, "USD");
    await sim.pay({ reference: topUp.reference, qr: topUp.qr });
    await expect(sim.pay({ reference: topUp.reference, qr: topUp.qr })).rejects.toThrow(/already been paid/);
  });

  it("pays through POST /_control/pay", async () => {
    const p = provider();
    const topUp = await createdTopUp(p, 250, "USD");
    const res = await fetch(`${sim.url}/_control/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reference: topUp.reference, qr: topUp.qr }),
    });
    const { providerTxnId } = (await res.json()) as { providerTxnId: string };
    expect(await p.checkStatus!([topUp])).toEqual([{ state: "paid", observations: [expect.objectContaining({ providerTxnId, amountMinor: 250 })] }]);
  });
});
