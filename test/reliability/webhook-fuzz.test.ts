import fc from "fast-check";
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/config/config.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import type { LedgerDeps } from "../../src/ledger/record-payment.js";
import { decimalString } from "../../src/money/money.js";
import type { PaymentProvider, WebhookRequest, WebhookResult } from "../../src/payments/provider.js";
import { createAhnajakProvider } from "../../src/payments/providers/ahnajak/ahnajak.js";
import { createKessProvider } from "../../src/payments/providers/kess/kess.js";
import { makeSign } from "../../src/payments/providers/kess/kess-signing.js";
import { createPayWayProvider } from "../../src/payments/providers/payway/payway.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { createTopUpService, type Providers, type TopUpService } from "../../src/payments/topups.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { createHttpApp } from "../../src/server/app.js";
import { handleWebhook, type WebhookDeps } from "../../src/server/webhooks.js";
import { silentLog, TEST_TOPUP } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { CHAOS, fingerprint, sameState, sqliteFingerprinter, summaryLine, type Fingerprint } from "./helpers.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

/**
 * Every provider's verifyWebhook, and handleWebhook on a real SQLite database behind it, fed
 * arbitrary and mutated input. Properties: nothing throws, every result is one of the typed
 * shapes, and no input that is not genuinely authentic changes a single row.
 */

const numRuns = CHAOS ? 100_000 : 2_000;
const httpRuns = CHAOS ? 20_000 : 300;
const timeout = CHAOS ? 60 * 60_000 : 120_000;

// Credentials of the adapters under test; the oracles below recompute signatures from these on their own.
const RAKSMEYPAY = { profileId: "fuzz-profile", profileKey: "fuzz-profile-key-5f1c", webhookApiKey: "fuzz-webhook-api-key-77a0" };
const AHNAJAK = { profileId: "fuzz-ahnajak", secretKey: "fuzz-ahnajak-secret-3b9e" };
const PAYWAY_TOKEN = "fuzz-payway-path-token-0123456789abcdef";
const KESS_SECRETS = { apiSecret: "fuzz-kess-api-secret-c4d2" };

type Fuzzed = "raksmeypay" | "kess" | "ahnajak" | "payway";
const FUZZED: readonly Fuzzed[] = ["raksmeypay", "kess", "ahnajak", "payway"];

interface TopUpInfo {
  id: number;
  provider: ProviderName;
  reference: string;
  amountMinor: number;
}

/** One request as the webhook endpoint would receive it. */
interface FuzzInput {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  pathToken?: string;
  /** How it was made, for the counterexample a failure prints. */
  how: string;
}

type Fields = Record<string, unknown>;

interface Spec {
  name: Fuzzed;
  fields: readonly string[];
  amountField: string;
  idFields: readonly string[];
  seed(t: TopUpInfo, salt: string): Fields;
  /** Re-signs fields with the real secret (what a provider with a bug, or a replay with edits, would send). */
  sign(f: Fields): Fields;
  /** The headers the provider sends with this body. */
  headersFor(body: Buffer, form: boolean): Record<string, string>;
  /**
   * Necessary condition for a row to change: the input carries the provider's credential (checked here
   * independently of the adapter). Always false for KESS, whose notification is only a hint.
   */
  mayRecord(req: WebhookRequest): boolean;
  /** For signed providers: acceptance (observed or ignored) requires this. */
  authentic(req: WebhookRequest): boolean;
}

const sha1 = (s: string) => createHash("sha1").update(s, "utf8").digest("hex");
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac256 = (key: string, body: Buffer) => createHmac("sha256", key).update(body).digest("hex");
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

function headerValues(headers: WebhookRequest["headers"], name: string): string[] {
  return Object.entries(headers).filter(([k, v]) => k.toLowerCase() === name && typeof v === "string").map(([, v]) => v!);
}

/** JSON object of a body decoded as UTF-8 (a leading BOM is not part of the text, as WHATWG decoding has it). */
function jsonObject(body: Buffer): Fields | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8").decode(body));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Fields) : undefined;
  } catch {
    return undefined;
  }
}

const raksmeypayHash = (f: Fields, amount = text(f.amount)) => {
  const [ts, bakongHash, txn] = [text(f.timestamp), text(f.bakong_hash), text(f.transaction_id)];
  return ts === undefined || amount === undefined || bakongHash === undefined || txn === undefined
    ? undefined
    : sha1(RAKSMEYPAY.profileKey + ts + amount + bakongHash + txn);
};
/** A JSON number amount has lost its text: RaksmeyPay may have hashed it with two places ("12.50") or as printed ("12.5"). */
const raksmeypayAmountTexts = (amount: unknown): (string | undefined)[] =>
  typeof amount === "number" && Number.isFinite(amount) ? [Number(amount.toFixed(2)) === amount ? amount.toFixed(2) : undefined, String(amount)] : [text(amount)];

const ahnajakHash = (f: Fields) => {
  const [txn, amount] = [text(f.transaction_id), text(f.amount)];
  return txn === undefined || amount === undefined ? undefined : sha256(txn + amount + AHNAJAK.secretKey);
};

const SPECS: Record<Fuzzed, Spec> = {
  raksmeypay: {
    name: "raksmeypay",
    fields: ["transaction_id", "amount", "currency", "status", "profile_id", "bakong_hash", "timestamp", "hash"],
    amountField: "amount",
    idFields: ["transaction_id"],
    seed: (t, salt) => ({
      transaction_id: t.reference, amount: decimalString(t.amountMinor, "USD"), currency: "USD", status: "success",
      profile_id: RAKSMEYPAY.profileId, bakong_hash: sha256(salt), timestamp: Math.floor(Date.now() / 1000), hash: "",
    }),
    sign: (f) => ({ ...f, hash: raksmeypayHash(f) ?? f.hash }),
    headersFor: () => ({ "content-type": "application/json", "x-api-key": RAKSMEYPAY.webhookApiKey }),
    authentic(req) {
      if (!headerValues(req.headers, "x-api-key").includes(RAKSMEYPAY.webhookApiKey)) return false;
      // The hash is the signature; the fields it leaves out (currency, status, profile_id) may say anything.
      const f = jsonObject(req.rawBody);
      const given = f && text(f.hash)?.toLowerCase();
      return given !== undefined && raksmeypayAmountTexts(f!.amount).some((amount) => amount !== undefined && raksmeypayHash(f!, amount) === given);
    },
    mayRecord(req) {
      return this.authentic(req);
    },
  },
  ahnajak: {
    name: "ahnajak",
    fields: ["transaction_id", "amount", "status", "hash"],
    amountField: "amount",
    idFields: ["transaction_id"],
    seed: (t) => ({ transaction_id: t.reference, amount: decimalString(t.amountMinor, "USD"), status: "SUCCESS", hash: "" }),
    sign: (f) => ({ ...f, hash: ahnajakHash(f) ?? f.hash }),
    headersFor: (body) => ({ "content-type": "application/json", "x-ahnajak-signature": hmac256(AHNAJAK.secretKey, body) }),
    // The header's HMAC covers every byte: the payload hash inside adds nothing to it.
    authentic(req) {
      const mac = hmac256(AHNAJAK.secretKey, req.rawBody);
      return headerValues(req.headers, "x-ahnajak-signature").some((v) => v.trim().toLowerCase() === mac);
    },
    mayRecord(req) {
      return this.authentic(req);
    },
  },
  payway: {
    name: "payway",
    fields: [
      "tran_id", "merchant_ref", "datetime", "bank_ref", "status", "description", "apv", "original_amount", "original_currency",
      "payment_amount", "payment_currency", "payment_type", "payer_account", "payer_name", "bank_name",
    ],
    amountField: "original_amount",
    idFields: ["tran_id", "merchant_ref"],
    seed: (t, salt) => ({
      tran_id: `3${sha1(salt).replace(/\D/g, "").padEnd(14, "7").slice(0, 14)}`, merchant_ref: t.reference, datetime: "2025-11-21 10:00:00",
      bank_ref: "100FT12345678901", status: "0", description: "APPROVED", apv: "123456", original_amount: t.amountMinor / 100,
      original_currency: "USD", payment_amount: t.amountMinor / 100, payment_currency: "USD", payment_type: "KHQR",
      payer_account: "*898", payer_name: "KEO SIDARA", bank_name: "ABA Bank",
    }),
    sign: (f) => f,
    headersFor: () => ({ "content-type": "application/json" }),
    // Unsigned: the secret path token is the whole credential.
    authentic: (req) => req.pathToken === PAYWAY_TOKEN,
    mayRecord: (req) => req.pathToken === PAYWAY_TOKEN,
  },
  kess: {
    name: "kess",
    fields: ["out_trade_no", "token", "transaction_id", "body", "total_amount", "currency", "status", "paid_at", "sign_type", "sign"],
    amountField: "total_amount",
    idFields: ["out_trade_no", "transaction_id"],
    seed: (t, salt) => ({
      out_trade_no: t.reference, token: sha1(salt).slice(0, 24), transaction_id: `TR2511-${sha1(salt).replace(/\D/g, "").slice(0, 12)}`,
      body: "Top-up fuzz", total_amount: t.amountMinor / 100, currency: "USD", status: "SUCCESS", paid_at: "2025-11-21T03:00:00.000000Z",
      sign_type: "MD5",
    }),
    sign: (f) => {
      const { sign: _ignored, ...rest } = f;
      try {
        return { ...rest, sign: makeSign(rest, KESS_SECRETS.apiSecret) };
      } catch {
        return f;
      }
    },
    headersFor: (_body, form) => ({ "content-type": form ? "application/x-www-form-urlencoded" : "application/json" }),
    authentic: () => true,
    // queryOrder at the simulator says WAITING for every fuzzed order: a notification alone never records.
    mayRecord: () => false,
  },
};

// ---------------------------------------------------------------------------------------------
// Arbitraries

const unicode = fc.string({ unit: "grapheme", maxLength: 12 });
const binary = fc.string({ unit: "binary", maxLength: 12 });
const HUGE = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 53, -0, 5e-324, 1e21, 0.9999999, 12.4999999];
const AMOUNT_TEXTS = [
  "0", "0.00", "-1.00", "1e3", "1E2", "1.005", "01.00", " 1.00", "1.00 ", "１.００", "1,00", "1,000.00", "99999999999999999999.99",
  "21474836.48", "NaN", "Infinity", "-0", "0x10", ".5", "5.", "", "1.0000000000000000001", "٣.٠٠", "1\u0000",
];

const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  unicode,
  binary,
  fc.integer(),
  fc.double(),
  fc.constantFrom<unknown>(...HUGE),
  fc.constantFrom<unknown>(...AMOUNT_TEXTS),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map((b) => `${b}.00`),
  fc.constantFrom<unknown>(null, true, false, [], {}, [1], { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ minLength: 1000, maxLength: 3000 }),
);

const amountValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...AMOUNT_TEXTS, ...HUGE),
  fc.tuple(fc.nat(10_000_000), fc.nat(99)).map(([w, c]) => `${w}.${String(c).padStart(2, "0")}`),
  fc.tuple(fc.nat(10_000_000), fc.nat(99)).map(([w, c]) => w + c / 100),
  fc.double({ noNaN: false }),
  fc.integer(),
  weirdValue,
);

type FieldMutation =
  | { kind: "set"; key: string; value: unknown }
  | { kind: "amount"; value: unknown }
  | { kind: "delete"; key: string }
  | { kind: "rename"; key: string; to: string }
  | { kind: "flip"; key: string; at: number; ch: string }
  | { kind: "upper"; key: string }
  | { kind: "id"; value: unknown };

function fieldMutation(spec: Spec): fc.Arbitrary<FieldMutation> {
  const key = fc.oneof({ arbitrary: fc.constantFrom(...spec.fields), weight: 4 }, { arbitrary: unicode, weight: 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant("set" as const), key, value: weirdValue }),
    fc.record({ kind: fc.constant("amount" as const), value: amountValue }),
    fc.record({ kind: fc.constant("delete" as const), key }),
    fc.record({ kind: fc.constant("rename" as const), key, to: fc.oneof(unicode, key.map((k) => k.toUpperCase())) }),
    fc.record({ kind: fc.constant("flip" as const), key, at: fc.nat(), ch: fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 }) }),
    fc.record({ kind: fc.constant("upper" as const), key }),
    fc.record({ kind: fc.constant("id" as const), value: fc.oneof(weirdValue, fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String), fc.nat().map(String)) }),
  );
}

function applyField(spec: Spec, f: Fields, m: FieldMutation): Fields {
  const out: Fields = { ...f };
  switch (m.kind) {
    case "set":
      out[m.key] = m.value;
      break;
    case "amount":
      out[spec.amountField] = m.value;
      break;
    case "delete":
      delete out[m.key];
      break;
    case "rename":
      if (m.key in out) {
        out[m.to] = out[m.key];
        delete out[m.key];
      }
      break;
    case "flip": {
      const v = out[m.key];
      const s = typeof v === "string" ? v : JSON.stringify(v) ?? "";
      const i = s.length === 0 ? 0 : m.at % s.length;
      out[m.key] = s.slice(0, i) + m.ch + s.slice(i + 1);
      break;
    }
    case "upper": {
      const v = out[m.key];
      if (typeof v === "string") out[m.key] = v === v.toUpperCase() ? v.toLowerCase() : v.toUpperCase();
      break;
    }
    case "id":
      out[spec.idFields[0]!] = m.value;
      break;
  }
  return out;
}

type ByteMutation =
  | { kind: "flip"; at: number; byte: number }
  | { kind: "delete"; at: number; len: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "truncate"; at: number }
  | { kind: "bom" }
  | { kind: "utf16" }
  | { kind: "duplicateKey"; key: string; value: unknown }
  | { kind: "trailing"; bytes: Uint8Array };

const byteMutation = (spec: Spec): fc.Arbitrary<ByteMutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.nat(255) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.constant({ kind: "bom" as const }),
    fc.constant({ kind: "utf16" as const }),
    fc.record({ kind: fc.constant("duplicateKey" as const), key: fc.constantFrom(...spec.fields), value: weirdValue }),
    fc.record({ kind: fc.constant("trailing" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  );

function applyBytes(body: Buffer, m: ByteMutation): Buffer {
  const at = (n: number) => (body.length === 0 ? 0 : n % body.length);
  switch (m.kind) {
    case "flip": {
      const b = Buffer.from(body);
      if (b.length > 0) b[at(m.at)] = b[at(m.at)]! ^ (m.byte || 1);
      return b;
    }
    case "delete":
      return Buffer.concat([body.subarray(0, at(m.at)), body.subarray(at(m.at) + m.len)]);
    case "insert":
      return Buffer.concat([body.subarray(0, at(m.at)), Buffer.from(m.bytes), body.subarray(at(m.at))]);
    case "truncate":
      return body.subarray(0, at(m.at));
    case "bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case "utf16":
      return Buffer.from(body.toString("utf8"), "utf16le");
    case "duplicateKey": {
      const s = body.toString("utf8");
      const end = s.lastIndexOf("}");
      if (end < 0) return body;
      const value = JSON.stringify(m.value) ?? "null";
      return Buffer.from(`${s.slice(0, end)},${JSON.stringify(m.key)}:${value}${s.slice(end)}`, "utf8");
    }
    case "trailing":
      return Buffer.concat([body, Buffer.from(m.bytes)]);
  }
}

type HeaderMutation =
  | { kind: "set"; name: string; value: string }
  | { kind: "delete"; name: string }
  | { kind: "recase"; name: string }
  | { kind: "flip"; name: string; at: number; ch: string }
  | { kind: "contentType"; value: string | undefined }
  | { kind: "both"; name: string; value: string };

const HEADER_NAMES = ["content-type", "x-api-key", "x-ahnajak-signature", "authorization", "x-forwarded-for"];
const CONTENT_TYPES = [
  "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/json;", "application/jsonx",
  "application/problem+json", "text/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
  "", " application/json ", "application/json\u0000",
];

const headerMutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), name: fc.oneof(fc.constantFrom(...HEADER_NAMES), unicode), value: fc.oneof(unicode, binary, fc.string({ maxLength: 300 })) }),
  fc.record({ kind: fc.constant("delete" as const), name: fc.constantFrom(...HEADER_NAMES) }),
  fc.record({ kind: fc.constant("recase" as const), name: fc.constantFrom(...HEADER_NAMES) }),
  fc.record({ kind: fc.constant("flip" as const), name: fc.constantFrom(...HEADER_NAMES), at: fc.nat(), ch: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) }),
  fc.record({ kind: fc.constant("contentType" as const), value: fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), unicode), { nil: undefined }) }),
  // The same header twice under different spellings, one right and one wrong.
  fc.record({ kind: fc.constant("both" as const), name: fc.constantFrom("x-api-key", "x-ahnajak-signature"), value: fc.oneof(unicode, fc.constant("")) }),
);

function applyHeader(headers: Record<string, string | undefined>, m: HeaderMutation): Record<string, string | undefined> {
  const out = { ...headers };
  const key = (name: string) => Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
  switch (m.kind) {
    case "set":
      out[m.name] = m.value;
      break;
    case "delete": {
      const k = key(m.name);
      if (k) delete out[k];
      break;
    }
    case "recase": {
      const k = key(m.name);
      if (k) {
        const v = out[k];
        delete out[k];
        out[k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())] = v;
      }
      break;
    }
    case "flip": {
      const k = key(m.name);
      const v = k ? out[k] : undefined;
      if (k && v) {
        const i = m.at % v.length;
        out[k] = v.slice(0, i) + m.ch + v.slice(i + 1);
      }
      break;
    }
    case "contentType": {
      const k = key("content-type");
      if (k) delete out[k];
      if (m.value !== undefined) out["content-type"] = m.value;
      break;
    }
    case "both": {
      const k = key(m.name);
      const right = k ? out[k] : undefined;
      if (k) delete out[k];
      const upper = m.name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
      // Wrong one first, then the right one.
      out[upper] = m.value;
      if (right !== undefined) out[m.name] = right;
      break;
    }
  }
  return out;
}

function pathToken(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(PAYWAY_TOKEN), weight: 4 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.tuple(fc.nat(), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })).map(([at, ch]) => {
      const i = at % PAYWAY_TOKEN.length;
      return PAYWAY_TOKEN.slice(0, i) + ch + PAYWAY_TOKEN.slice(i + 1);
    }), weight: 2 },
    { arbitrary: fc.constantFrom("", PAYWAY_TOKEN.slice(0, -1), `${PAYWAY_TOKEN}x`, PAYWAY_TOKEN.toUpperCase(), ` ${PAYWAY_TOKEN}`), weight: 1 },
    { arbitrary: fc.oneof(unicode, binary), weight: 1 },
  );
}

/** The body as sent: JSON, or (KESS accepts it) a form. */
function serialize(f: Fields, form: boolean): Buffer {
  if (!form) return Buffer.from(JSON.stringify(f), "utf8");
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) params.append(k, typeof v === "string" ? v : JSON.stringify(v) ?? "");
  return Buffer.from(params.toString(), "utf8");
}

/** Everything the fuzzer sends to one provider: random bytes, random JSON, and (mostly) mutated signed payloads. */
function inputs(spec: Spec, topUps: () => TopUpInfo[]): fc.Arbitrary<FuzzInput> {
  const headersArb = fc.array(headerMutation, { maxLength: 3 });
  const token = spec.name === "payway" ? pathToken() : fc.constant(undefined);
  const randomBody = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => ({ body: Buffer.from(b), how: "random bytes" })),
    fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: Buffer.from(JSON.stringify(v) ?? "null", "utf8"), how: "random JSON" })),
    fc.dictionary(fc.oneof(fc.constantFrom(...spec.fields), unicode), weirdValue, { maxKeys: 12 }).map((d) => ({
      body: Buffer.from(JSON.stringify(d) ?? "{}", "utf8"),
      how: "random object over the provider's field names",
    })),
  );
  const unsigned = fc.tuple(randomBody, fc.boolean(), headersArb, token).map(([{ body, how }, macOk, hm, pathTokenValue]) => {
    // For Ahnajak, a correct HMAC over random bytes gets the input past the signature into the parser.
    let headers: Record<string, string | undefined> = macOk ? spec.headersFor(body, false) : { "content-type": "application/json" };
    for (const m of hm) headers = applyHeader(headers, m);
    return { headers, rawBody: body, pathToken: pathTokenValue, how: `${how}${macOk ? " with the provider's headers" : ""}` } satisfies FuzzInput;
  });
  const topUpIndex = fc.nat();
  const seeded = fc
    .record({
      pick: topUpIndex,
      foreign: fc.nat(9),
      salt: fc.string({ maxLength: 8 }),
      fieldMuts: fc.array(fieldMutation(spec), { maxLength: 3 }),
      resign: fc.boolean(),
      form: spec.name === "kess" ? fc.boolean() : fc.constant(false),
      byteMuts: fc.oneof({ arbitrary: fc.constant([] as ByteMutation[]), weight: 3 }, { arbitrary: fc.array(byteMutation(spec), { minLength: 1, maxLength: 2 }), weight: 2 }),
      signBytesAfter: fc.boolean(),
      hm: headersArb,
      pathToken: token,
      signType: fc.constantFrom("MD5", "HMAC-SHA256", "SHA1", ""),
    })
    .map((r) => {
      const all = topUps();
      const own = all.filter((t) => t.provider === spec.name);
      // Mostly our own orders; sometimes another provider's reference (cross-provider confusion).
      const pool = r.foreign === 0 ? all : own;
      const t = pool[r.pick % pool.length]!;
      let f = spec.seed(t, r.salt);
      if (spec.name === "kess" && r.signType !== "MD5") f.sign_type = r.signType;
      f = spec.sign(f);
      for (const m of r.fieldMuts) f = applyField(spec, f, m);
      if (r.resign) f = spec.sign(f);
      const signed = serialize(f, r.form);
      let body = signed;
      for (const m of r.byteMuts) body = applyBytes(body, m);
      // Ahnajak's header signs the bytes: sign the mutated bytes, or leave the original signature on them.
      let headers: Record<string, string | undefined> = spec.headersFor(r.signBytesAfter ? body : signed, r.form);
      for (const m of r.hm) headers = applyHeader(headers, m);
      const how = [
        `seeded from ${t.provider} top-up ${t.reference}`,
        r.fieldMuts.length ? `fields ${r.fieldMuts.map((m) => m.kind).join("+")}` : "fields intact",
        r.resign ? "re-signed" : "signature as made before edits",
        r.byteMuts.length ? `bytes ${r.byteMuts.map((m) => m.kind).join("+")}` : "",
        r.hm.length ? `headers ${r.hm.map((m) => m.kind).join("+")}` : "",
      ].filter(Boolean).join(", ");
      return { headers, rawBody: body, pathToken: r.pathToken, how } satisfies FuzzInput;
    });
  return fc.oneof({ arbitrary: unsigned, weight: 1 }, { arbitrary: seeded, weight: 4 });
}

// ---------------------------------------------------------------------------------------------
// Type checks of what comes back

const REJECT_STATUSES = [400, 401, 403, 404, 415, 422];
const REFERENCE = /^[A-Za-z0-9-]{1,32}$/;

function assertTypedResult(name: Fuzzed, r: WebhookResult): void {
  expect(r).toBeTypeOf("object");
  switch (r.kind) {
    case "rejected":
      expect(REJECT_STATUSES).toContain(r.status);
      expect(typeof r.reason === "string" && r.reason.length > 0).toBe(true);
      return;
    case "ignored":
      expect(typeof r.reason).toBe("string");
      return;
    case "signal":
      expect(name).toBe("kess");
      expect(r.reference).toMatch(REFERENCE);
      return;
    case "observed":
      expect(r.observations.length).toBeGreaterThan(0);
      for (const o of r.observations) {
        expect(o.provider).toBe(name);
        expect(typeof o.providerTxnId === "string" && o.providerTxnId.length > 0).toBe(true);
        expect(Number.isSafeInteger(o.amountMinor) && o.amountMinor >= 0).toBe(true);
        expect(["USD", "KHR"]).toContain(o.currency);
        if (o.reference !== undefined) expect(typeof o.reference).toBe("string");
      }
      return;
    default:
      throw new Error(`untyped result ${JSON.stringify(r)}`);
  }
}

function assertTypedAnswer(a: { status: number; body: Record<string, unknown> }): void {
  expect([200, ...REJECT_STATUSES]).toContain(a.status);
  expect(a.body.ok).toBe(a.status === 200);
  if (a.status !== 200) expect(typeof a.body.error).toBe("string");
}

// ---------------------------------------------------------------------------------------------

const tally = {
  inputs: { raksmeypay: 0, kess: 0, ahnajak: 0, payway: 0, http: 0, unknownEndpoint: 0 } as Record<string, number>,
  rejected: 0,
  ignored: 0,
  signals: 0,
  observedRecorded: 0,
  observedDuplicate: 0,
  unverifiedUnchanged: 0,
  stateChangesFromUnverified: 0,
  throws: 0,
  controls: 0,
};

let database: TestDatabase;
let kessSim: KessSimulator;
let providers: Map<ProviderName, PaymentProvider>;
let deps: WebhookDeps;
let topUps: TopUpService;
const fuzzTopUps: TopUpInfo[] = [];
const controlTopUps = new Map<Fuzzed, TopUpInfo>();
let state: Fingerprint;
let reader: ReturnType<typeof sqliteFingerprinter>;
/** The database's fingerprint now (cheap read-only connection). */
const current = async () => reader.read();
const bump = (key: string) => void (tally.inputs[key] = (tally.inputs[key] ?? 0) + 1);

/** encodeURIComponent, or byte-wise percent-encoding where it refuses (lone surrogates). */
function pathSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
  }
}
let telegramId = 5_000_000n;

async function insertTopUp(provider: ProviderName, reference: string, amountMinor: number): Promise<TopUpInfo> {
  const user = await database.db.user.create({ data: { telegramId: telegramId++, panelLogin: "fuzz" } });
  const t = await database.db.topUp.create({
    data: {
      reference, userId: user.id, chatId: user.telegramId, provider, currency: "USD", amountMinor, panelLogin: "fuzz", status: "PENDING",
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return { id: t.id, provider, reference, amountMinor };
}

async function startedTopUp(provider: "kess", amountMinor: number): Promise<TopUpInfo> {
  const user = await database.db.user.create({ data: { telegramId: telegramId++, panelLogin: "fuzz" } });
  const started = await topUps.start({ userId: user.id, chatId: user.telegramId, amountMinor, provider });
  if (!started.ok) throw new Error(`kess top-up not started: ${started.reason}`);
  return { id: started.topUp.id, provider, reference: started.topUp.reference, amountMinor };
}

beforeAll(async () => {
  database = await freshSqlite();
  kessSim = await startKessSimulator(KESS_SECRETS);
  const log = silentLog;
  providers = new Map<ProviderName, PaymentProvider>([
    ["raksmeypay", createRaksmeyPayProvider({ baseUrl: "http://127.0.0.1:9", qrTemplate: 2, ...RAKSMEYPAY }, { log })],
    ["kess", createKessProvider(kessSim.config(), { log, timeoutMs: 5_000 })],
    ["ahnajak", createAhnajakProvider({ baseUrl: "http://127.0.0.1:9", ...AHNAJAK }, { log })],
    [
      "payway",
      createPayWayProvider(
        { bakongId: "abaakhppxxx@abaa", merchantId: "125021214532846", acquiringBank: "ABA Bank", data: "0010PAYWAY@ABA0208104514230604A227", mcc: "5999", webhookToken: PAYWAY_TOKEN },
        { log, merchantName: "Fuzz Shop", merchantCity: "Phnom Penh" },
      ),
    ],
  ]);
  const metrics = createMetrics();
  const ledger: LedgerDeps = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log, metrics, panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
  topUps = createTopUpService({ database: forMerchant(database, DEFAULT_MERCHANT_ID), providers: providers as Providers, ledger, topup: TEST_TOPUP, metrics, log });
  deps = { database, providers: providers as Providers, ledger, topUps, metrics, log };

  const amounts = [100, 1250, 99_999];
  for (const [i, amount] of amounts.entries()) {
    fuzzTopUps.push(await insertTopUp("raksmeypay", `2511210000000${i}`, amount));
    fuzzTopUps.push(await insertTopUp("ahnajak", `2511210000020${i}`, amount));
    fuzzTopUps.push(await insertTopUp("payway", `2511210000010${i}`, amount));
    fuzzTopUps.push(await startedTopUp("kess", amount));
  }
  controlTopUps.set("raksmeypay", await insertTopUp("raksmeypay", "25112199999001", 777));
  controlTopUps.set("ahnajak", await insertTopUp("ahnajak", "25112199999002", 777));
  controlTopUps.set("payway", await insertTopUp("payway", "25112199999003", 777));
  controlTopUps.set("kess", await startedTopUp("kess", 777));
  reader = sqliteFingerprinter(database);
  state = await fingerprint(database);
  // The cheap reader and Prisma agree.
  expect(reader.read()).toEqual(state);
}, 60_000);

afterAll(async () => {
  const total = FUZZED.reduce((s, n) => s + tally.inputs[n]!, 0) + tally.inputs.http! + tally.inputs.unknownEndpoint!;
  // What the authentic inputs recorded: flagged payments wait for an admin, PayWay repeats (a new tran_id for an
  // order already paid, behind the right path token) too, since PayWay signs nothing; orphans have no credit.
  const flags = database ? await database.db.payment.groupBy({ by: ["provider", "flag"], _count: true }) : [];
  const count = (pred: (g: (typeof flags)[number]) => boolean) => flags.filter(pred).reduce((s, g) => s + g._count, 0);
  summaryLine("webhook-fuzz", {
    inputs: total,
    perVerifier: FUZZED.map((n) => `${n}:${tally.inputs[n]}`).join("/"),
    http: tally.inputs.http!,
    unknownEndpoint: tally.inputs.unknownEndpoint!,
    rejected: tally.rejected,
    ignored: tally.ignored,
    kessSignals: tally.signals,
    recordedFromAuthentic: tally.observedRecorded,
    "held for an admin (amount, currency or format)": count((g) => g.flag !== "OK" && g.flag !== "REPEAT" && g.flag !== "ORPHAN"),
    "payway repeats held": count((g) => g.provider === "payway" && g.flag === "REPEAT"),
    "orphans (no top-up of ours)": count((g) => g.flag === "ORPHAN"),
    duplicates: tally.observedDuplicate,
    throws: tally.throws,
    "state changes from unverified": tally.stateChangesFromUnverified,
  });
  reader?.close();
  await kessSim?.close();
  await database?.drop();
});

/** Sends one input through verifyWebhook and handleWebhook and checks every property. */
async function exercise(spec: Spec, input: FuzzInput): Promise<void> {
  const req: WebhookRequest = { headers: input.headers, rawBody: input.rawBody, ...(input.pathToken !== undefined ? { pathToken: input.pathToken } : {}) };
  const provider = providers.get(spec.name)!;
  bump(spec.name);
  let result: WebhookResult;
  let answer: Awaited<ReturnType<typeof handleWebhook>>;
  try {
    result = await provider.verifyWebhook!(req);
    answer = await handleWebhook(deps, spec.name, req);
  } catch (err) {
    tally.throws += 1;
    throw new Error(`${spec.name} threw on input (${input.how}): ${(err as Error).stack}`);
  }
  assertTypedResult(spec.name, result);
  assertTypedAnswer(answer);
  if (result.kind !== "rejected" && spec.name !== "kess" && !spec.authentic(req)) {
    throw new Error(`${spec.name} accepted (${result.kind}) an input without a valid credential: ${input.how}`);
  }
  if (result.kind === "rejected") tally.rejected += 1;
  if (result.kind === "ignored") tally.ignored += 1;
  if (result.kind === "signal") tally.signals += 1;

  const before = state;
  const after = await current();
  // Updated before any assertion, so a failing case does not leave a stale baseline for fast-check's shrinking.
  state = after;
  const changed = !sameState(before, after);
  const unverified = result.kind === "rejected" || answer.status !== 200 || !spec.mayRecord(req);
  if (changed && unverified) {
    tally.stateChangesFromUnverified += 1;
    throw new Error(`${spec.name}: unverified input changed the database (${input.how}); answer ${JSON.stringify(answer)}; before ${JSON.stringify(before)} after ${JSON.stringify(after)}`);
  }
  if (unverified) tally.unverifiedUnchanged += 1;
  if (changed) {
    tally.observedRecorded += 1;
    // What was recorded: at most one payment per observation (a verified non-payment may leave only an admin note).
    // A payment on one of our top-ups has its credit, an orphan none; nothing is credited unless it matches the order.
    const newPayments = after.payments - before.payments;
    expect(newPayments).toBeLessThanOrEqual(1);
    if (newPayments === 0) return;
    const payment = await database.db.payment.findFirstOrThrow({ where: { id: after.maxPaymentId }, include: { topUp: true, credit: true } });
    if (!payment.topUp) {
      expect(payment.flag).toBe("ORPHAN");
      expect(after.credits - before.credits).toBe(0);
      return;
    }
    expect(after.credits - before.credits).toBe(1);
    const exact = payment.amountMinor === payment.topUp.amountMinor && payment.currency === payment.topUp.currency;
    if (payment.credit!.status !== "HELD") expect(exact && (payment.flag === "OK" || payment.flag === "REPEAT")).toBe(true);
    if (!exact) expect(payment.credit!.status).toBe("HELD");
    // PayWay is unsigned: only an exact first payment is credited automatically.
    if (spec.name === "payway" && payment.flag !== "OK") expect(payment.credit!.status).toBe("HELD");
  } else if (result.kind === "observed" && answer.status === 200) {
    tally.observedDuplicate += 1;
  }
}

describe("webhook verifiers under arbitrary input", { timeout }, () => {
  for (const name of FUZZED) {
    it(`${name}: never throws, always typed, no row changes unless authentic (${numRuns} runs)`, async () => {
      const spec = SPECS[name];
      await fc.assert(
        fc.asyncProperty(inputs(spec, () => fuzzTopUps), (input) => exercise(spec, input)),
        { numRuns },
      );
    });
  }

  it("unknown endpoints (bakong has no webhook, arbitrary names) answer 404 and change nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom("bakong", "BAKONG", "RaksmeyPay", "kess ", "payway/", "", "__proto__", "constructor", "toString"), unicode, binary),
        fc.uint8Array({ maxLength: 256 }),
        async (name, body) => {
          bump("unknownEndpoint");
          const answer = await handleWebhook(deps, name, { headers: { "content-type": "application/json" }, rawBody: Buffer.from(body) });
          if ((FUZZED as readonly string[]).includes(name)) return;
          expect(answer.status).toBe(404);
          const after = await current();
          expect(sameState(state, after)).toBe(true);
        },
      ),
      { numRuns: Math.min(numRuns, 2_000) },
    );
  });

  it(`the HTTP routes (/webhooks/…): never 5xx, always a JSON answer, no row changes unless authentic (${httpRuns} runs)`, async () => {
    const app = createHttpApp({ shop: deps, metrics: deps.metrics, log: deps.log, ready: async () => ({ ok: true, checks: {} }) });
    const latin1 = (s: string) => s.replace(/[^\x20-\x7e]/g, "");
    const route = fc.oneof(
      { arbitrary: fc.constantFrom(...FUZZED).chain((n) => inputs(SPECS[n], () => fuzzTopUps).map((input) => ({ name: n as string, input }))), weight: 6 },
      {
        arbitrary: fc.tuple(fc.oneof(unicode, fc.constantFrom("bakong", "payway", "PayWay", "..", "%2e%2e", "raksmeypay/extra")), fc.uint8Array({ maxLength: 512 })).map(([n, b]) => ({
          name: n,
          input: { headers: { "content-type": "application/json" }, rawBody: Buffer.from(b), how: "random endpoint" } as FuzzInput,
        })),
        weight: 1,
      },
      {
        arbitrary: fc.constantFrom(...FUZZED).map((n) => ({
          name: n as string,
          input: { headers: { "content-type": "application/json" }, rawBody: Buffer.alloc(70 * 1024, 0x7b), pathToken: PAYWAY_TOKEN, how: "oversized body" } as FuzzInput,
        })),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(route, async ({ name, input }) => {
        bump("http");
        // What a real client can put on the wire: printable latin-1 header values, one value per name.
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(input.headers)) {
          const key = latin1(k).toLowerCase().replace(/[^a-z0-9!#$%&'*+.^_`|~-]/g, "");
          if (key && v !== undefined) headers[key] = latin1(v).trim();
        }
        const segment = pathSegment(input.pathToken ?? "");
        const path = name === "payway" ? `/webhooks/payway/${segment}` : `/webhooks/${name.split("/").map(pathSegment).join("/")}`;
        const res = await app.request(path, { method: "POST", headers, body: new Uint8Array(input.rawBody) });
        expect(res.status).toBeLessThan(500);
        expect([200, 400, 401, 403, 404, 413, 415, 422]).toContain(res.status);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body.ok).toBe(res.status === 200);
        const before = state;
        const after = await current();
        state = after;
        if (!sameState(before, after)) {
          const spec = (FUZZED as readonly string[]).includes(name) ? SPECS[name as Fuzzed] : undefined;
          const token = name === "payway" ? decodeURIComponent(segment) : undefined;
          const req: WebhookRequest = { headers, rawBody: input.rawBody, ...(token !== undefined ? { pathToken: token } : {}) };
          if (!spec || res.status !== 200 || !spec.mayRecord(req)) {
            tally.stateChangesFromUnverified += 1;
            throw new Error(`HTTP ${path} changed the database from an unverified input (${input.how})`);
          }
          tally.observedRecorded += 1;
        }
      }),
      { numRuns: httpRuns },
    );
  });

  it("positive controls: the pristine signed notification of each provider does record, exactly once", async () => {
    const before = await current();
    for (const name of ["raksmeypay", "ahnajak", "payway"] as const) {
      const spec = SPECS[name];
      const t = controlTopUps.get(name)!;
      const body = serialize(spec.sign(spec.seed(t, "control")), false);
      const req: WebhookRequest = { headers: spec.headersFor(body, false), rawBody: body, ...(name === "payway" ? { pathToken: PAYWAY_TOKEN } : {}) };
      for (let i = 0; i < 3; i++) expect(await handleWebhook(deps, name, req)).toEqual({ status: 200, body: { ok: true } });
      expect(await database.db.payment.count({ where: { topUpId: t.id } })).toBe(1);
      expect((await database.db.credit.findFirstOrThrow({ where: { topUpId: t.id } })).status).toBe("QUEUED");
      tally.controls += 1;
    }
    // KESS: a genuine notification is only a hint; once the order is paid at KESS, queryOrder records it.
    const t = controlTopUps.get("kess")!;
    const note = SPECS.kess.sign(SPECS.kess.seed(t, "control"));
    const body = serialize(note, false);
    const req: WebhookRequest = { headers: { "content-type": "application/json" }, rawBody: body };
    expect(await handleWebhook(deps, "kess", req)).toEqual({ status: 200, body: { ok: true } });
    expect(await database.db.payment.count({ where: { topUpId: t.id } })).toBe(0);
    kessSim.setWebhookUrl("");
    await kessSim.pay({ reference: t.reference });
    expect(await handleWebhook(deps, "kess", req)).toEqual({ status: 200, body: { ok: true } });
    expect(await database.db.payment.count({ where: { topUpId: t.id } })).toBe(1);
    tally.controls += 1;
    state = await fingerprint(database);
    // The detector sees what a genuine notification changes.
    expect(await current()).toEqual(state);
    expect(sameState(before, state)).toBe(false);
    expect(state.payments - before.payments).toBe(4);
  });
});
