import { describe, expect, it } from "vitest";
import { ConfigError, isUnconfigured, loadConfig } from "../../src/config/config.js";

const live = {
  BOT_TOKEN: "123:abc", PANEL_URL: "https://panel.example", PANEL_API_KEY: "k".repeat(20),
  BAKONG_TOKEN: "t".repeat(20), BAKONG_ACCOUNT_ID: "shop@aclb",
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("no configuration at all means sandbox mode", () => {
    expect(isUnconfigured({})).toBe(true);
    expect(isUnconfigured({ LOG_LEVEL: "debug", HTTP_PORT: "9000" })).toBe(true);
    expect(isUnconfigured({ BAKONG_TOKEN: "x" })).toBe(false);
    expect(loadConfig({}, { sandbox: true }).sandbox).toBe(true);
  });

  it("a complete live configuration loads with the documented defaults", () => {
    const c = loadConfig(live);
    expect(c.runtime).toMatchObject({ databaseUrl: "file:./data/bot.db", httpPort: 8080 });
    expect(c.topup).toMatchObject({ currency: "USD", ttlSeconds: 600, khrPerUsd: 4100, presetsMinor: [500, 1000, 2000, 5000] });
    expect(c.providers.enabled).toEqual(["bakong"]);
    expect(c.bot).toMatchObject({ mode: "polling", apiRoot: "https://api.telegram.org" });
  });

  it("sizes the crediter: CREDIT_CONCURRENCY panel calls in flight over PANEL_MAX_CONNECTIONS connections", () => {
    expect(loadConfig(live).crediter).toMatchObject({ concurrency: 16, panelMaxConnections: 16 });
    expect(loadConfig({ ...live, CREDIT_CONCURRENCY: "32", PANEL_MAX_CONNECTIONS: "40" }).crediter).toMatchObject({ concurrency: 32, panelMaxConnections: 40 });
    expect(problems({ ...live, CREDIT_CONCURRENCY: "0" })).toEqual([expect.stringMatching(/^CREDIT_CONCURRENCY: /)]);
    expect(problems({ ...live, CREDIT_CONCURRENCY: "32", PANEL_MAX_CONNECTIONS: "8" })).toEqual([expect.stringMatching(/^PANEL_MAX_CONNECTIONS: must be at least CREDIT_CONCURRENCY \(32\)/)]);
  });

  it("lists every bad or missing variable at once", () => {
    const list = problems({ ...live, BOT_TOKEN: "", HTTP_PORT: "http", TOPUP_CURRENCY: "EUR", BOT_MODE: "webhook", KESS_CLIENT_ID: "id" });
    expect(list).toEqual(expect.arrayContaining([
      expect.stringMatching(/^BOT_TOKEN: required/),
      expect.stringMatching(/^HTTP_PORT: /),
      expect.stringMatching(/^TOPUP_CURRENCY: must be one of USD, KHR/),
      expect.stringMatching(/^PUBLIC_URL: required/),
      expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET: required/),
      expect.stringMatching(/^KESS_CLIENT_SECRET: required/),
      expect.stringMatching(/^KESS_BASE_URL: required/),
    ]));
  });

  it("partial credentials are an error, never a silent fallback", () => {
    expect(problems({ BAKONG_TOKEN: "t".repeat(20) })).toEqual(expect.arrayContaining([
      "BOT_TOKEN: required but not set", "BAKONG_ACCOUNT_ID: required but not set", "PANEL_URL: required but not set",
    ]));
    expect(problems({ ...live, PAYMENT_PROVIDERS: "bakong,kess" })).toEqual([`PAYMENT_PROVIDERS: "kess" is listed but its variables are not set`]);
  });

  it("validates amounts, presets and limits in the top-up currency", () => {
    expect(problems({ ...live, TOPUP_MIN: "10.555" })).toEqual(['TOPUP_MIN: "10.555" is not a positive USD amount']);
    expect(problems({ ...live, TOPUP_MIN: "100", TOPUP_MAX: "50" })).toContain("TOPUP_MIN: must not be greater than TOPUP_MAX");
    const khr = loadConfig({ ...live, TOPUP_CURRENCY: "KHR", TOPUP_PRESETS: "10000, 40000" });
    expect(khr.topup).toMatchObject({ presetsMinor: [10000, 40000], minMinor: 4000, maxMinor: 4_000_000 });
    expect(problems({ ...live, TOPUP_PRESETS: "5,2000" })).toEqual(["TOPUP_PRESETS: 2,000.00 USD is outside TOPUP_MIN..TOPUP_MAX"]);
  });

  it("checks lengths that KHQR imposes", () => {
    expect(problems({ ...live, MERCHANT_NAME: "x".repeat(26) })).toEqual(["MERCHANT_NAME: at most 25 characters (KHQR limit), got 26"]);
    expect(problems({ ...live, BAKONG_ACCOUNT_ID: "nope" })).toEqual(["BAKONG_ACCOUNT_ID: a Bakong account id looks like name@bank"]);
  });

  it("parses admin ids and URLs", () => {
    const c = loadConfig({ ...live, ADMIN_IDS: "1, 2,3", ADMIN_CHAT_ID: "-1001234567890", PANEL_URL: "https://panel.example/" });
    expect(c.bot.adminIds).toEqual([1, 2, 3]);
    expect(c.bot.adminChatId).toBe(-1001234567890);
    expect(c.panel.url).toBe("https://panel.example");
    expect(problems({ ...live, ADMIN_IDS: "1,abc" })).toEqual(['ADMIN_IDS: "abc" is not a Telegram id']);
    expect(problems({ ...live, PANEL_URL: "ftp://x" })).toEqual(['PANEL_URL: "ftp://x" is not an http(s) URL']);
  });
});

describe(".env.example", () => {
  it("documents every variable the configuration reads, each with a comment", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(".env.example", "utf8").split("\n");
    const documented = example.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split("=")[0]!);
    const source = readFileSync("src/config/config.ts", "utf8");
    const read = [...new Set([...source.matchAll(/"([A-Z][A-Z0-9_]{3,})"/g)].map((m) => m[1]!))].filter((v) => !["HMAC-SHA256", "KHQR"].includes(v));
    expect(read.filter((v) => !documented.includes(v))).toEqual([]);
    for (const name of documented) {
      const i = example.findIndex((l) => l.startsWith(`${name}=`));
      expect(example.slice(0, i).reverse().find((l) => !/^[A-Z_]+=/.test(l))?.startsWith("#"), name).toBe(true);
    }
  });
});
