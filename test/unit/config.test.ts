import { describe, expect, it } from "vitest";
import { ConfigError, isUnconfigured, loadConfig } from "../../src/config/config.js";
import { fakeBotToken } from "../support/bot-token.js";

const live = {
  BOT_TOKEN: fakeBotToken(123456, "unit-config"), PANEL_URL: "https://panel.example", PANEL_API_KEY: "k".repeat(20),
  BAKONG_TOKEN: "t".repeat(20), BAKONG_ACCOUNT_ID: "shop@aclb", ADMIN_IDS: "7", MERCHANT_NAME: "Unit Shop",
};

function problems(env: Record<string, string>, opts: { databaseOnly?: boolean } = {}): string[] {
  try {
    loadConfig(env, opts);
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

  it("sizes the crediter: adaptive up to PANEL_MAX_CONNECTIONS unless CREDIT_CONCURRENCY fixes it", () => {
    expect(loadConfig(live).crediter).toMatchObject({ concurrency: "adaptive", panelMaxConnections: 64 });
    expect(loadConfig({ ...live, PANEL_MAX_CONNECTIONS: "8" }).crediter).toMatchObject({ concurrency: "adaptive", panelMaxConnections: 8 });
    expect(loadConfig({ ...live, CREDIT_CONCURRENCY: "16" }).crediter).toMatchObject({ concurrency: 16, panelMaxConnections: 64 });
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
    // KHQR's amount holds 13 characters: 9999999999.99 USD fits, one more dollar does not.
    expect(problems({ ...live, TOPUP_MAX: "9999999999.99" })).toEqual([]);
    expect(problems({ ...live, TOPUP_MAX: "10000000000.5" })).toEqual(["TOPUP_MAX: 10,000,000,000.50 USD does not fit a KHQR amount (at most 13 characters)"]);
    expect(problems({ ...live, TOPUP_CURRENCY: "KHR", TOPUP_PRESETS: "10000", TOPUP_MAX: "9999999999999" })).toEqual([]);
  });

  it("checks lengths that KHQR imposes", () => {
    expect(problems({ ...live, MERCHANT_NAME: "x".repeat(26) })).toEqual(["MERCHANT_NAME: at most 25 characters (KHQR limit), got 26"]);
    expect(problems({ ...live, BAKONG_ACCOUNT_ID: "nope" })).toEqual(["BAKONG_ACCOUNT_ID: a Bakong account id looks like name@bank"]);
  });

  it("reads deposit bonus tiers in the top-up currency, strictly", () => {
    expect(loadConfig(live).topup.bonus).toEqual({ currency: "USD", tiers: [] });
    expect(loadConfig({ ...live, TOPUP_BONUS: "50:5,100:10" }).topup.bonus).toEqual({
      currency: "USD", tiers: [{ fromMinor: 5000, basisPoints: 500 }, { fromMinor: 10_000, basisPoints: 1000 }],
    });
    expect(loadConfig({ ...live, TOPUP_CURRENCY: "KHR", TOPUP_BONUS: "200000:3" }).topup.bonus).toEqual({ currency: "KHR", tiers: [{ fromMinor: 200_000, basisPoints: 300 }] });
    expect(problems({ ...live, TOPUP_BONUS: "100:10,50:5" })).toEqual(["TOPUP_BONUS: tiers must ascend: 50.00 USD after 100.00 USD"]);
    expect(problems({ ...live, TOPUP_BONUS: "50%5" })).toEqual(['TOPUP_BONUS: "50%5" is not <amount>:<percent> (e.g. 50:5,100:10)']);
  });

  it("reads the daily report time as HH:MM", () => {
    expect(loadConfig(live).dailyReportAtMinutes).toBeUndefined();
    expect(loadConfig({ ...live, DAILY_REPORT_AT: "21:00" }).dailyReportAtMinutes).toBe(21 * 60);
    expect(loadConfig({ ...live, DAILY_REPORT_AT: "00:05" }).dailyReportAtMinutes).toBe(5);
    for (const bad of ["24:00", "9:00", "21:60", "21h", "9pm"]) {
      expect(problems({ ...live, DAILY_REPORT_AT: bad })).toEqual([`DAILY_REPORT_AT: "${bad}" is not a time of day as HH:MM (00:00 to 23:59)`]);
    }
  });

  it("parses admin ids and URLs", () => {
    const c = loadConfig({ ...live, ADMIN_IDS: "1, 2,3", ADMIN_CHAT_ID: "-1001234567890", PANEL_URL: "https://panel.example/" });
    expect(c.bot.adminIds).toEqual([1, 2, 3]);
    expect(c.bot.adminChatId).toBe(-1001234567890);
    expect(c.panel.url).toBe("https://panel.example");
    expect(problems({ ...live, ADMIN_IDS: "1,abc" })).toEqual(['ADMIN_IDS: "abc" is not a Telegram user id (decimal digits)']);
    expect(problems({ ...live, PANEL_URL: "ftp://x" })).toEqual(['PANEL_URL: "ftp://x" is not an http(s) URL']);
  });

  it("reads the optional deep-link app name and icon", () => {
    expect(loadConfig(live).bot).toMatchObject({ appName: undefined, appIconUrl: undefined });
    const c = loadConfig({ ...live, BOT_APP_NAME: "Top-up Bot", BOT_APP_ICON_URL: "https://cdn.example/icon.png" });
    expect(c.bot).toMatchObject({ appName: "Top-up Bot", appIconUrl: "https://cdn.example/icon.png" });
    expect(problems({ ...live, BOT_APP_ICON_URL: "javascript:alert(1)" })).toEqual(['BOT_APP_ICON_URL: "javascript:alert(1)" is not an http(s) URL']);
    expect(problems({ ...live, BOT_APP_NAME: "x".repeat(65) })).toEqual(["BOT_APP_NAME: at most 64 characters"]);
  });
});

describe("a live configuration is strict", () => {
  it("BOT_TOKEN must look like @BotFather's, and the problem never quotes it", () => {
    expect(loadConfig({ ...live, BOT_TOKEN: `7012345678:${"A".repeat(34)}_` }).bot.token).toBe(`7012345678:${"A".repeat(34)}_`);
    for (const bad of ["123:abc", "1:x", `abc:${"A".repeat(35)}`, `123456:${"A".repeat(34)}`, `123456:${"A".repeat(36)}`, `123456:${"A".repeat(34)}!`, "A".repeat(42)]) {
      const list = problems({ ...live, BOT_TOKEN: bad });
      expect(list, bad).toEqual(["BOT_TOKEN: does not look like a token from @BotFather (the bot's id in digits, a colon, then 35 letters, digits, _ or -)"]);
    }
  });

  it("MERCHANT_NAME is required: every customer's bank app shows it", () => {
    const { MERCHANT_NAME: _omitted, ...unnamed } = live;
    expect(problems(unnamed)).toEqual(["MERCHANT_NAME: required but not set"]);
    expect(problems({ ...live, MERCHANT_NAME: "   " })).toEqual(["MERCHANT_NAME: required but not set"]);
  });

  it("alerts reach someone: ADMIN_IDS or ADMIN_CHAT_ID must be set, and the problem names both", () => {
    const { ADMIN_IDS: _omitted, ...readerless } = live;
    expect(problems(readerless)).toEqual([
      "ADMIN_IDS, ADMIN_CHAT_ID: neither is set; held payments, orphan payments and outage alerts would reach no one (set at least one)",
    ]);
    expect(loadConfig({ ...readerless, ADMIN_CHAT_ID: "-100123" }).bot).toMatchObject({ adminIds: [], adminChatId: -100123 });
    expect(loadConfig(live).bot).toMatchObject({ adminIds: [7], adminChatId: undefined });
  });

  it("PUBLIC_URL must be https (http only on a loopback address)", () => {
    const webhook = { ...live, BOT_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "secret" };
    const refused = ["PUBLIC_URL: must be an https:// address (Telegram updates and payment webhooks are sent to it); http only on a loopback address"];
    expect(problems({ ...webhook, PUBLIC_URL: "http://pay.example.com" })).toEqual(refused);
    expect(problems({ ...webhook, PUBLIC_URL: "http://127.0.0.1.example.com" })).toEqual(refused);
    // KESS sends its notifications to PUBLIC_URL in polling mode too.
    expect(problems({ ...live, PUBLIC_URL: "http://pay.example.com" })).toEqual(refused);
    expect(loadConfig({ ...webhook, PUBLIC_URL: "https://pay.example.com/" }).bot.publicUrl).toBe("https://pay.example.com");
    for (const local of ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"]) {
      expect(problems({ ...webhook, PUBLIC_URL: local }), local).toEqual([]);
    }
  });

  it("the sandbox and the CLI's database commands need none of it", () => {
    expect(loadConfig({ BOT_TOKEN: "7000000000:short" }, { sandbox: true }).topup.merchantName).toBe("KHQR Top-up");
    expect(loadConfig({ BOT_MODE: "webhook", PUBLIC_URL: "http://pay.example.com", TELEGRAM_WEBHOOK_SECRET: "s" }, { sandbox: true }).bot.publicUrl).toBe("http://pay.example.com");
    expect(loadConfig({ DATABASE_URL: "file:/tmp/shop.db" }, { databaseOnly: true }).bot.adminIds).toEqual([]);
    // A token that is set is still checked, as every credential that is set.
    expect(problems({ DATABASE_URL: "file:/tmp/shop.db", BOT_TOKEN: "123:abc" }, { databaseOnly: true })).toEqual([expect.stringMatching(/^BOT_TOKEN: does not look like/)]);
  });
});

describe(".env.example", () => {
  it("documents every variable the configuration reads, each with a comment", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(".env.example", "utf8").split("\n");
    // A variable may be documented commented out ("# HTTP_HOST=0.0.0.0"): copying the file then leaves it unset.
    const variable = /^(?:# )?([A-Z_]+)=/;
    const documented = example.map((l) => variable.exec(l)?.[1]).filter((v): v is string => v !== undefined);
    const source = readFileSync("src/config/config.ts", "utf8");
    const read = [...new Set([...source.matchAll(/"([A-Z][A-Z0-9_]{3,})"/g)].map((m) => m[1]!))].filter((v) => !["HMAC-SHA256", "KHQR"].includes(v));
    expect(read.filter((v) => !documented.includes(v))).toEqual([]);
    for (const name of documented) {
      const i = example.findIndex((l) => variable.exec(l)?.[1] === name);
      expect(example.slice(0, i).reverse().find((l) => !variable.test(l))?.startsWith("#"), name).toBe(true);
    }
  });
});

describe("numbers are decimal digits only", () => {
  const notDecimal = ["0x10", "1e3", "0b101", "0o17", "1.0", "+5", "-5", "1_000", "Infinity", "٥"];

  it.each(["HTTP_PORT", "TOPUP_TTL_SECONDS", "KHR_PER_USD", "CREDIT_RETRY_SECONDS"])("%s refuses 0x10, 1e3, 0b101, 1.0 and names the variable", (name) => {
    for (const text of notDecimal) {
      const list = problems({ ...live, [name]: text });
      expect(list, `${name}=${text}`).toEqual([expect.stringMatching(new RegExp(`^${name}: must be a whole number from \\d+ to \\d+ in decimal digits`))]);
    }
  });

  it("still reads plain digits, leading zeros included", () => {
    const c = loadConfig({ ...live, HTTP_PORT: "0", TOPUP_TTL_SECONDS: "0900", KHR_PER_USD: "4000", CREDIT_RETRY_SECONDS: "0" });
    expect(c.runtime.httpPort).toBe(0);
    expect(c.topup).toMatchObject({ ttlSeconds: 900, khrPerUsd: 4000 });
    expect(c.crediter.retryForSeconds).toBe(0);
  });

  it("ADMIN_IDS are user ids: positive decimal digits", () => {
    for (const text of ["0x10", "1e3", "0b101", "1.0", "-5", "0", "99999999999999999999"]) {
      expect(problems({ ...live, ADMIN_IDS: `7,${text}` }), text).toEqual([`ADMIN_IDS: "${text}" is not a Telegram user id (decimal digits)`]);
    }
  });

  it("ADMIN_CHAT_ID may be a group's negative id, but nothing else", () => {
    expect(loadConfig({ ...live, ADMIN_CHAT_ID: "-1001234567890" }).bot.adminChatId).toBe(-1001234567890);
    expect(loadConfig({ ...live, ADMIN_CHAT_ID: "42" }).bot.adminChatId).toBe(42);
    for (const text of ["0x10", "1e3", "0b101", "1.0", "-0x10", "--5", "-"]) {
      expect(problems({ ...live, ADMIN_CHAT_ID: text }), text).toEqual([
        `ADMIN_CHAT_ID: "${text}" is not a Telegram chat id (decimal digits, a group's with a leading -)`,
      ]);
    }
  });
});

describe("a URL in a configuration error never shows its credentials", () => {
  it("masks the password of a URL that is refused", () => {
    const list = problems({ ...live, PANEL_URL: "ftp://admin:hunter2-panel@panel.example/x" });
    expect(list).toEqual(['PANEL_URL: "ftp://admin:***@panel.example/x" is not an http(s) URL']);
  });

  it("masks every URL in the printed message too, whatever the problem", () => {
    const env = { ...live, KESS_CLIENT_ID: "id", KESS_BASE_URL: "htps://kess:s3cret-pass@gw.example", TELEGRAM_API_ROOT: "gopher://tok3n-only@api.example" };
    let message = "";
    try {
      loadConfig(env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('KESS_BASE_URL: "htps://kess:***@gw.example" is not an http(s) URL');
    expect(message).toContain('TELEGRAM_API_ROOT: "gopher://***@api.example" is not an http(s) URL');
    expect(message).not.toMatch(/s3cret-pass|tok3n-only/);
  });

  it("a valid URL with credentials still loads unchanged", () => {
    expect(loadConfig({ ...live, PANEL_URL: "https://u:p@panel.example" }).panel.url).toBe("https://u:p@panel.example");
  });
});

describe("the sandbox shares nothing with a live install", () => {
  it("listens on 127.0.0.1 whatever HTTP_HOST says, unless SANDBOX_HTTP_HOST allows otherwise", () => {
    expect(loadConfig({ HTTP_HOST: "0.0.0.0" }, { sandbox: true }).runtime.httpHost).toBe("127.0.0.1");
    expect(loadConfig({ HTTP_HOST: "0.0.0.0", SANDBOX_HTTP_HOST: "0.0.0.0" }, { sandbox: true }).runtime.httpHost).toBe("0.0.0.0");
    expect(loadConfig({ ...live, HTTP_HOST: "10.0.0.5", SANDBOX_HTTP_HOST: "0.0.0.0" }).runtime.httpHost).toBe("10.0.0.5");
  });

  it("never uses a live install's Redis", () => {
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }, { sandbox: true }).runtime.redisUrl).toBeUndefined();
    expect(loadConfig({ ...live, REDIS_URL: "redis://127.0.0.1:6379" }).runtime.redisUrl).toBe("redis://127.0.0.1:6379");
  });

  it(".env.example copied as it is runs the sandbox on loopback and sets no database", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("dotenv");
    const env = parse(readFileSync(".env.example", "utf8"));
    expect(env).not.toHaveProperty("HTTP_HOST");
    expect(env).not.toHaveProperty("DATABASE_URL");
    expect(isUnconfigured(env)).toBe(true);
    expect(loadConfig(env, { sandbox: true }).runtime.httpHost).toBe("127.0.0.1");
  });
});
