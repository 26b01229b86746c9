import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SECRET_VARIABLES } from "../../src/config/config.js";
import { assertMerchantVariables, loadMerchantConfig } from "../../src/config/merchant-config.js";
import { MERCHANT_VARIABLES, PROCESS_VARIABLES } from "../../src/config/variable-scopes.js";
import { fakeBotToken } from "../support/bot-token.js";

const shop = {
  BOT_TOKEN: fakeBotToken(555001, "merchant-config"), PANEL_URL: "https://panel.example", PANEL_API_KEY: "k".repeat(20),
  BAKONG_TOKEN: "t".repeat(20), BAKONG_ACCOUNT_ID: "shop@aclb", ADMIN_IDS: "7", MERCHANT_NAME: "Shop A",
};
const processEnv = { DATABASE_URL: "file:./data/platform.db", PUBLIC_URL: "https://pay.example", LOG_LEVEL: "warn", CREDIT_CONCURRENCY: "4" };
const SECRET = "merchant_webhook_secret_1";

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** Every variable loadConfig asks for, by handing it an environment that records each lookup. */
function variablesRead(): string[] {
  const asked = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === "string") asked.add(name);
      return undefined;
    },
  });
  problemsOf(() => loadConfig(env));
  return [...asked].sort();
}

describe("a merchant's variables and the process's", () => {
  it("every variable the configuration reads is either a merchant's or the process's, never both", () => {
    const merchant = Object.keys(MERCHANT_VARIABLES);
    expect(merchant.filter((name) => PROCESS_VARIABLES.includes(name))).toEqual([]);
    expect(variablesRead().filter((name) => !merchant.includes(name) && !PROCESS_VARIABLES.includes(name))).toEqual([]);
    // The check sees what it is meant to: BOT_TOKEN is read, and a merchant's.
    expect(variablesRead()).toContain("BOT_TOKEN");
  });

  it("a merchant's secrets are exactly the secret variables that are not the process's", () => {
    const secrets = Object.entries(MERCHANT_VARIABLES).filter(([, v]) => v.secret).map(([name]) => name).sort();
    expect(secrets).toEqual(SECRET_VARIABLES.filter((name) => !PROCESS_VARIABLES.includes(name)).sort());
  });

  it("loads a merchant as start-up loads a shop: webhook mode, its secret_token, the process's sizing and nothing else of the environment", () => {
    const environmentShop = { ...processEnv, BOT_TOKEN: fakeBotToken(555999, "env-shop"), KESS_CLIENT_ID: "env-only", PAYWAY_DATA: "x" };
    const config = loadMerchantConfig(environmentShop, shop, { webhookSecret: SECRET });
    expect(config.bot).toMatchObject({ token: shop.BOT_TOKEN, mode: "webhook", publicUrl: "https://pay.example", webhookSecret: SECRET, adminIds: [7] });
    expect(config.providers.enabled).toEqual(["bakong"]);
    expect(config.crediter.concurrency).toBe(4);
    expect(config.runtime.databaseUrl).toBe("file:./data/platform.db");
  });

  it("a bad merchant file gets the same one-message problems as start-up, naming each variable", () => {
    const bad = { ...shop, TOPUP_MIN: "0x10", KESS_CLIENT_ID: "half" };
    const single = problemsOf(() => loadConfig({ ...processEnv, ...bad, BOT_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: SECRET }));
    expect(single.length).toBeGreaterThan(1);
    expect(problemsOf(() => loadMerchantConfig(processEnv, bad, { webhookSecret: SECRET }))).toEqual(single);
    expect(single.some((p) => p.startsWith("TOPUP_MIN:"))).toBe(true);
  });

  it("platform mode needs PUBLIC_URL: a merchant without it is refused naming it", () => {
    expect(problemsOf(() => loadMerchantConfig({ DATABASE_URL: "file:x.db" }, shop, { webhookSecret: SECRET }))).toEqual(["PUBLIC_URL: required but not set"]);
  });

  it("refuses process-wide and unknown variables in a merchant's file, naming each, before its other problems", () => {
    const vars = { ...shop, DATABASE_URL: "file:/tmp/x.db", LOG_LEVEL: "debug", MASTER_KEY: "x", PANEL_APIKEY: "typo", TOPUP_MAX: "nope" };
    const problems = problemsOf(() => loadMerchantConfig(processEnv, vars, { webhookSecret: SECRET }));
    expect(problems.slice(0, 4)).toEqual([
      expect.stringMatching(/^DATABASE_URL: process-wide/),
      expect.stringMatching(/^LOG_LEVEL: process-wide/),
      expect.stringMatching(/^MASTER_KEY: process-wide/),
      expect.stringMatching(/^PANEL_APIKEY: not a variable of this program/),
    ]);
    expect(problems[4]).toMatch(/^TOPUP_MAX:/);
    expect(problemsOf(() => assertMerchantVariables({ ...shop, TELEGRAM_WEBHOOK_SECRET: "mine" }))).toEqual([expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET: process-wide/)]);
    expect(problemsOf(() => assertMerchantVariables(shop))).toEqual([]);
  });

  it("single-shop mode is unchanged: the environment alone loads as before", () => {
    const config = loadConfig({ ...processEnv, ...shop });
    expect(config.bot).toMatchObject({ token: shop.BOT_TOKEN, mode: "polling" });
  });
});
