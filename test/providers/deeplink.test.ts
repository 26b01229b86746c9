import { Writable } from "node:stream";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BakongConfig } from "../../src/config/config.js";
import { createMetrics } from "../../src/metrics.js";
import { createDeepLinker, deepLinkApp, type DeepLinkInput } from "../../src/payments/deeplink.js";
import type { TopUpRef } from "../../src/payments/provider.js";
import { createBakongProvider } from "../../src/payments/providers/bakong/bakong.js";
import { noApiFaults } from "../../sandbox/faults.js";
import { startBakongSimulator, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const TOKEN = "bakong-deeplink-token-0123456789";
const ACCOUNT = "topup_bot@aclb";
const CALLBACK = "https://t.me/khqr_topup_bot";
const STATIC_QR = "00020101021129170013merchant@nbcq5204599953038405802KH5917Lucky Supermarket6010Phnom Penh6304FBE4";

let sim: BakongSimulator;
let stub: RunningServer;
let stubAnswer: { status: number; body: string };
const logLines: string[] = [];

const log = pino(
  { level: "debug" },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString("utf8"));
      done();
    },
  }),
);

function linker(bakong: BakongConfig | undefined, timeoutMs = 1_500) {
  const metrics = createMetrics();
  const app = () => ({ appName: "KHQR Top-up", appIconUrl: "https://cdn.example/icon.png" });
  const deepLinker = createDeepLinker({ bakong, app, log, metrics, timeoutMs });
  const count = async (provider: string, outcome: string) =>
    (await metrics.deeplinks.get()).values.find((v) => v.labels.provider === provider && v.labels.outcome === outcome)?.value ?? 0;
  return { deepLinker, metrics, count };
}

const bakongConfig = (over: Partial<BakongConfig> = {}): BakongConfig => ({ apiUrl: sim.url, token: TOKEN, accountId: ACCOUNT, ...over });

let sequence = 0;
async function dynamicQr(): Promise<{ qr: string; reference: string }> {
  const now = Date.now();
  const reference = `DL${now.toString(36)}${++sequence}`;
  const topUp: TopUpRef = { reference, amountMinor: 500, currency: "USD", panelLogin: "alice", createdAt: new Date(now), expiresAt: new Date(now + 600_000) };
  const created = await createBakongProvider(bakongConfig(), { log, merchantName: "SMM TOPUP", merchantCity: "Phnom Penh" }).create(topUp);
  return { qr: created.qr!, reference };
}

beforeAll(async () => {
  sim = await startBakongSimulator({ token: TOKEN, timeoutHoldMs: 3_000 });
  const app = new Hono();
  app.post("/v1/*", (c) => c.body(stubAnswer.body, stubAnswer.status as 200, { "content-type": "application/json" }));
  stub = await serveApp(app);
});

afterAll(async () => {
  await sim.close();
  await stub.close();
});

beforeEach(() => {
  Object.assign(sim.apiFaults, noApiFaults());
  sim.deeplinkMode = "ok";
  sim.resetCalls();
  logLines.length = 0;
});

describe("Open-in-bank-app links through Bakong", () => {
  for (const provider of ["bakong", "raksmeypay", "payway"] as const) {
    it(`${provider}: Bakong's shortLink for the card's KHQR, with our app identity and the bot's chat as callback`, async () => {
      const { deepLinker, count } = linker(bakongConfig());
      const { qr, reference } = await dynamicQr();
      const link = await deepLinker.linkFor({ provider, qr, callbackUrl: CALLBACK });
      expect(link).toBeDefined();
      const url = new URL(link!);
      expect(url.protocol).toBe("https:");
      expect(url.searchParams.get("reference")).toBe(reference);
      const issued = sim.deeplinks.get(url.pathname.slice(1));
      expect(issued).toMatchObject({ qr, reference, appName: "KHQR Top-up", appIconUrl: "https://cdn.example/icon.png", callback: CALLBACK });
      expect(link).not.toContain(TOKEN);
      expect(await count(provider, "ok")).toBe(1);
    });
  }

  it("raksmeypay and payway have no link without Bakong credentials; ahnajak never (its checkout page is the phone path)", async () => {
    const { deepLinker, count } = linker(undefined);
    const { qr } = await dynamicQr();
    for (const provider of ["raksmeypay", "payway", "bakong"] as const) {
      expect(await deepLinker.linkFor({ provider, qr, callbackUrl: CALLBACK })).toBeUndefined();
      expect(await count(provider, "none")).toBe(1);
    }
    const withBakong = linker(bakongConfig());
    expect(await withBakong.deepLinker.linkFor({ provider: "ahnajak", qr, callbackUrl: CALLBACK })).toBeUndefined();
    expect(await withBakong.count("ahnajak", "none")).toBe(1);
    expect(sim.calls.deeplink).toBe(0);
  });

  const refusals: [string, (input: DeepLinkInput) => void | Promise<void>, RegExp][] = [
    ["Bakong refuses to make the link (errorCode 4)", () => void (sim.deeplinkMode = "error"), /could not generate a deep link/],
    ["the QR is static (errorCode 2)", (input) => void (input.qr = STATIC_QR), /dynamic KHQR only/],
    ["the QR is not a KHQR", (input) => void (input.qr = "not a qr"), /could not generate a deep link/],
    ["Bakong answers HTTP 500", () => void Object.assign(sim.apiFaults, { mode: "http500", remaining: 1 }), /refused \(500\)/],
  ];
  for (const [name, arrange, message] of refusals) {
    it(`no link, an error counted and logged, when ${name}`, async () => {
      const { deepLinker, count } = linker(bakongConfig());
      const input: DeepLinkInput = { provider: "bakong", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK };
      await arrange(input);
      expect(await deepLinker.linkFor(input)).toBeUndefined();
      expect(await count("bakong", "error")).toBe(1);
      expect(logLines.join("")).toMatch(message);
    });
  }

  it("a wrong token: no link, and neither the token nor the link's secrets in the log", async () => {
    const { deepLinker, count } = linker(bakongConfig({ token: "expired-bakong-token-abcdef" }));
    expect(await deepLinker.linkFor({ provider: "bakong", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK })).toBeUndefined();
    expect(await count("bakong", "error")).toBe(1);
    expect(logLines.join("")).toMatch(/renew BAKONG_TOKEN/);
    expect(logLines.join("")).not.toContain("expired-bakong-token-abcdef");
  });

  it("Bakong not answering in time: no link after the short timeout, counted as timeout", async () => {
    const { deepLinker, count } = linker(bakongConfig(), 300);
    Object.assign(sim.apiFaults, { mode: "timeout", remaining: 1 });
    expect(await deepLinker.linkFor({ provider: "bakong", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK })).toBeUndefined();
    expect(await count("bakong", "timeout")).toBe(1);
  });

  it("nothing listening: no link, an error", async () => {
    const { deepLinker, count } = linker(bakongConfig({ apiUrl: "http://127.0.0.1:1" }));
    expect(await deepLinker.linkFor({ provider: "payway", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK })).toBeUndefined();
    expect(await count("payway", "error")).toBe(1);
  });

  const badLinks: [string, string][] = [
    ["a link carrying our token", `https://bakong.page.link/x?t=${TOKEN}`],
    ["a bank-app scheme Telegram cannot open", "bakong://pay/123"],
    ["a link with credentials", "https://user:pw@bakong.page.link/x"],
    ["a plain http link", "http://bakong.page.link/x"],
    ["no link at all", ""],
  ];
  for (const [name, shortLink] of badLinks) {
    it(`refuses ${name}`, async () => {
      stubAnswer = { status: 200, body: JSON.stringify({ responseCode: 0, responseMessage: "ok", errorCode: null, data: { shortLink } }) };
      const { deepLinker, count } = linker(bakongConfig({ apiUrl: stub.url }));
      expect(await deepLinker.linkFor({ provider: "bakong", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK })).toBeUndefined();
      expect(await count("bakong", "error")).toBe(1);
      expect(logLines.join("")).not.toContain(TOKEN);
    });
  }

  it("an answer that is not Bakong's: no link, an error", async () => {
    stubAnswer = { status: 200, body: "<html>maintenance</html>" };
    const { deepLinker, count } = linker(bakongConfig({ apiUrl: stub.url }));
    expect(await deepLinker.linkFor({ provider: "bakong", qr: (await dynamicQr()).qr, callbackUrl: CALLBACK })).toBeUndefined();
    expect(await count("bakong", "error")).toBe(1);
  });
});

describe("Open-in-bank-app links from KESS", () => {
  it("the deeplink nativePay returned; none without one; a non-web link is refused", async () => {
    const { deepLinker, count } = linker(bakongConfig());
    const link = "https://kesspay.example/deeplink/abc?reference=26010100000001";
    expect(await deepLinker.linkFor({ provider: "kess", qr: "000201", deepLink: link, callbackUrl: CALLBACK })).toBe(link);
    expect(await deepLinker.linkFor({ provider: "kess", qr: "000201", callbackUrl: CALLBACK })).toBeUndefined();
    expect(await deepLinker.linkFor({ provider: "kess", deepLink: "kesschat://pay?token=abc", callbackUrl: CALLBACK })).toBeUndefined();
    expect([await count("kess", "ok"), await count("kess", "none"), await count("kess", "error")]).toEqual([1, 1, 1]);
    // KESS links never go through Bakong.
    expect(sim.calls.deeplink).toBe(0);
  });
});

it("a provider's link that carries one of our configured secrets, even URL-encoded, is never shown", async () => {
  const metrics = createMetrics();
  const secret = "kess-api-secret/with+chars";
  const deepLinker = createDeepLinker({ app: () => ({ appName: "A", appIconUrl: "https://cdn.example/i.png" }), log, metrics, secrets: [secret, undefined] });
  for (const link of [`https://kess.example/p?s=${secret}`, `https://kess.example/p?s=${encodeURIComponent(secret)}`]) {
    expect(await deepLinker.linkFor({ provider: "kess", deepLink: link, callbackUrl: CALLBACK })).toBeUndefined();
  }
  expect(await deepLinker.linkFor({ provider: "kess", deepLink: "https://kess.example/p?s=public", callbackUrl: CALLBACK })).toBe("https://kess.example/p?s=public");
  expect(logLines.join("")).not.toContain("kess-api-secret");
});

describe("the app identity on a deep link", () => {
  it("defaults to the bot's name and Telegram picture, and returns to the bot's chat", () => {
    expect(deepLinkApp({}, { first_name: "Top-up Bot", username: "khqr_topup_bot" })).toEqual({
      appName: "Top-up Bot",
      appIconUrl: "https://t.me/i/userpic/320/khqr_topup_bot.jpg",
      callbackUrl: "https://t.me/khqr_topup_bot",
    });
  });

  it("BOT_APP_NAME and BOT_APP_ICON_URL win when set", () => {
    expect(deepLinkApp({ appName: "Shop", appIconUrl: "https://cdn.example/i.png" }, { first_name: "Bot", username: "b_bot" })).toMatchObject({
      appName: "Shop",
      appIconUrl: "https://cdn.example/i.png",
    });
  });
});

describe("the Bakong simulator's generate_deeplink_by_qr", () => {
  const post = (body: unknown, token = TOKEN) =>
    fetch(`${sim.url}/v1/generate_deeplink_by_qr`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const source = { appIconUrl: "https://cdn.example/i.png", appName: "Shop", appDeepLinkCallback: CALLBACK };

  it("answers data.shortLink, errorCode 5 for a missing field, 2 for a static QR, 6 for a wrong token", async () => {
    const { qr } = await dynamicQr();
    const ok = (await (await post({ qr, sourceInfo: source })).json()) as { responseCode: number; data: { shortLink: string } };
    expect(ok.responseCode).toBe(0);
    expect(sim.deeplinks.get(new URL(ok.data.shortLink).pathname.slice(1))).toMatchObject({ qr, appName: "Shop", callback: CALLBACK });
    expect(await (await post({ qr, sourceInfo: { ...source, appName: undefined } })).json()).toMatchObject({ responseCode: 1, errorCode: 5 });
    expect(await (await post({ sourceInfo: source })).json()).toMatchObject({ responseCode: 1, errorCode: 5 });
    expect(await (await post({ qr: STATIC_QR, sourceInfo: source })).json()).toMatchObject({ responseCode: 1, errorCode: 2 });
    const unauthorized = await post({ qr, sourceInfo: source }, "wrong");
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ responseCode: 1, errorCode: 6 });
  });
});
