import fc from "fast-check";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minorFromDecimal, type Currency } from "../../src/money/money.js";
import type { StatusResult, TopUpRef } from "../../src/payments/provider.js";
import { createBakongProvider } from "../../src/payments/providers/bakong/bakong.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

/**
 * Whatever Bakong says about a paid md5 of ours (any amount, currency or receiving account, as any
 * JSON type), the adapter reports exactly one observation keyed on Bakong's hash: held with a reason
 * unless it is exactly ours, and never for more than was paid.
 */

const ACCOUNT = "prop_shop@aclb";
const log = pino({ level: "silent" });
let stub: RunningServer;
let data: Record<string, unknown> = {};

beforeAll(async () => {
  const app = new Hono();
  app.post("/v1/check_transaction_by_md5", (c) => c.json({ responseCode: 0, responseMessage: "Getting transaction successfully.", errorCode: null, data }));
  stub = await serveApp(app);
});

afterAll(async () => {
  await stub.close();
});

const randomCase = (text: string) =>
  fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((upper) => [...text].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(""));

const account = fc.oneof(randomCase(ACCOUNT), fc.constantFrom("other@aclb", "prop_shop@abaa", ""), fc.constant(undefined));
const currency = fc.oneof(randomCase("usd"), randomCase("khr"), fc.constantFrom("EUR", "", "840"), fc.constant(undefined));
const amount = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map((cents) => cents / 100),
  fc.integer({ min: 0, max: 10_000_000 }).map((cents) => (cents / 100).toFixed(2)),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom("abc", "-1", "1e3", null, undefined),
);

describe("Bakong paid answers, property", () => {
  it("one observation per paid md5, held exactly when it is not ours to credit as is", async () => {
    const provider = createBakongProvider({ apiUrl: stub.url, token: "t".repeat(20), accountId: ACCOUNT }, { log, merchantName: "Prop Shop", merchantCity: "Phnom Penh" });
    const now = Date.now();
    const topUp: TopUpRef = {
      reference: "PROP-1", amountMinor: 500, currency: "USD", panelLogin: "p", createdAt: new Date(now), expiresAt: new Date(now + 600_000), md5: "a".repeat(32),
    };
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[0-9a-f]{64}$/), account, currency, amount, async (hash, to, cur, amt) => {
        data = { hash, fromAccountId: "payer@wing", toAccountId: to, currency: cur, amount: amt, description: "PROP-1" };
        const [result] = await provider.checkStatus!([topUp]);
        expect(result!.state).toBe("paid");
        const observations = (result as Extract<StatusResult, { state: "paid" }>).observations;
        expect(observations).toHaveLength(1);
        const obs = observations[0]!;
        expect(obs).toMatchObject({ provider: "bakong", providerTxnId: hash, reference: "PROP-1", md5: topUp.md5 });
        expect(Number.isSafeInteger(obs.amountMinor) && obs.amountMinor >= 0).toBe(true);

        const ours = typeof to === "string" && to.toLowerCase() === ACCOUNT;
        const known = typeof cur === "string" && ["USD", "KHR"].includes(cur.toUpperCase()) ? (cur.toUpperCase() as Currency) : undefined;
        const exact = known && (typeof amt === "number" || typeof amt === "string") ? minorFromDecimal(amt, known) : null;
        expect(obs.holdReason === undefined).toBe(ours && exact !== null);
        if (exact !== null) expect(obs.amountMinor).toBe(exact);
        else if (known && typeof amt === "number") expect(obs.amountMinor).toBeLessThanOrEqual(amt * (known === "USD" ? 100 : 1));
      }),
      { numRuns: 300 },
    );
  });
});
