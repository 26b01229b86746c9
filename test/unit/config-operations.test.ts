import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SECRET_VARIABLES } from "../../src/config/config.js";
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

describe("METRICS_TOKEN", () => {
  it("is optional; when set it is kept and treated as a secret", () => {
    expect(loadConfig(live).runtime.metricsToken).toBeUndefined();
    expect(loadConfig({ ...live, METRICS_TOKEN: "abcdefghijklmnop-0123" }).runtime.metricsToken).toBe("abcdefghijklmnop-0123");
    expect(SECRET_VARIABLES).toContain("METRICS_TOKEN");
  });

  it.each([["short-token"], ["has space in it 0123456"], ['quote"0123456789abcdef'], ["x".repeat(257)]])("refuses %j, naming the variable", (token) => {
    expect(problems({ ...live, METRICS_TOKEN: token })).toEqual([expect.stringMatching(/^METRICS_TOKEN: 16-256 characters/)]);
  });
});

describe("databaseOnly (the operator CLI's database commands)", () => {
  it("needs only DATABASE_URL: no bot token, panel or provider", () => {
    const config = loadConfig({ DATABASE_URL: "file:/tmp/shop.db" }, { databaseOnly: true });
    expect(config.runtime.databaseUrl).toBe("file:/tmp/shop.db");
    expect(config.sandbox).toBe(false);
    expect(config.providers.enabled).toEqual([]);
    expect(problems({ DATABASE_URL: "file:/tmp/shop.db" })).toEqual(expect.arrayContaining([expect.stringMatching(/^BOT_TOKEN: required/), expect.stringMatching(/^PANEL_URL: required/)]));
  });

  it("still checks what is set", () => {
    expect(problems({ DATABASE_URL: "mysql://x" }, { databaseOnly: true })).toEqual([expect.stringMatching(/^DATABASE_URL: /)]);
    expect(problems({ KESS_CLIENT_ID: "id" }, { databaseOnly: true })).toEqual(expect.arrayContaining([expect.stringMatching(/^KESS_CLIENT_SECRET: required/)]));
    expect(loadConfig(live, { databaseOnly: true }).providers.enabled).toEqual(["bakong"]);
  });
});
