import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, SECRET_VARIABLES } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { startBakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { formatCheck, runSelfCheck, type CheckResult } from "../../src/startup/self-check.js";
import { runCli } from "../cli/run-cli.js";
import { fakeBotToken } from "../support/bot-token.js";
import { startProgram } from "./program.js";

/** Issue 20, item 1: `npm run cli -- check` against the simulators, one bad credential per party. */
let sandbox: Sandbox;
let env: Record<string, string>;
const log = createLogger({ level: "silent", secrets: [] });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  sandbox = await startSandbox();
  const port = await freePort();
  env = { ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DOTENV_CONFIG_PATH: "/nonexistent/.env" };
});

afterAll(async () => {
  await sandbox?.close();
});

const check = (extra: Record<string, string> = {}) => runSelfCheck(loadConfig({ ...env, ...extra }), { log, publicUrl: "listen", timeoutMs: 5_000 });
const failed = (results: CheckResult[]) => results.filter((r) => !r.ok);

describe("cli check", () => {
  it("passes against the simulators (exit 0): one line per party, neutral where only a payment can tell", async () => {
    const run = await runCli(["check"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    for (const party of ["Telegram", "Panel", "RaksmeyPay", "KESS Pay", "Bakong", "PUBLIC_URL"]) {
      expect(lines.some((l) => l.startsWith(`✓ ${party}:`))).toBe(true);
    }
    expect(lines.find((l) => l.startsWith("· Ahnajak:"))).toContain("cannot be checked without a payment");
    expect(lines.find((l) => l.startsWith("· ABA PayWay:"))).toContain("cannot be checked without a payment");
    expect(run.stdout).toContain("all checks passed");
  });

  it("names the party and the variable to fix, and exits 1", async () => {
    const run = await runCli(["check"], { ...env, PANEL_API_KEY: "a-wrong-panel-key" });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ Panel: .*→ PANEL_API_KEY is wrong/m);
    expect(run.stdout).not.toContain("a-wrong-panel-key");
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["Telegram", { BOT_TOKEN: fakeBotToken(7_000_000_000, "not-the-token") }, /BOT_TOKEN is wrong/],
    ["Panel", { PANEL_API_KEY: "a-wrong-panel-key" }, /PANEL_API_KEY is wrong/],
    ["RaksmeyPay", { RAKSMEYPAY_PROFILE_KEY: "a-wrong-profile-key" }, /RAKSMEYPAY_PROFILE_KEY is wrong/],
    ["RaksmeyPay", { RAKSMEYPAY_PROFILE_ID: "another-profile" }, /RAKSMEYPAY_PROFILE_ID is wrong/],
    ["KESS Pay", { KESS_PASSWORD: "a-wrong-password" }, /KESS_PASSWORD/],
    ["KESS Pay", { KESS_API_SECRET: "a-wrong-api-secret" }, /KESS_API_SECRET/],
    ["Bakong", { BAKONG_TOKEN: "a-wrong-bakong-token" }, /BAKONG_TOKEN is wrong/],
    ["Bakong", { BAKONG_ACCOUNT_ID: "someone_else@aclb" }, /BAKONG_ACCOUNT_ID is wrong/],
    ["ABA PayWay", { PAYWAY_BAKONG_ID: "not an account id" }, /PAYWAY_BAKONG_ID/],
  ];
  it.each(cases)("fails %s alone for %j", async (party, extra, fix) => {
    const bad = failed(await check(extra));
    expect(bad.map((r) => r.name)).toEqual([party]);
    expect(bad[0]!.fix).toMatch(fix);
    for (const [name, value] of Object.entries(extra)) {
      if ((SECRET_VARIABLES as readonly string[]).includes(name)) expect(formatCheck(bad[0]!)).not.toContain(value);
    }
  });

  it("fails PUBLIC_URL when the address does not lead to this program", async () => {
    const port = await freePort();
    const bad = failed(await check({ PUBLIC_URL: `http://127.0.0.1:${port}` }));
    expect(bad.map((r) => r.name)).toEqual(["PUBLIC_URL"]);
  });

  it("fails PUBLIC_URL when another program answers there", async () => {
    // The panel simulator answers, but cannot know the one-time token's answer.
    const bad = failed(await check({ PUBLIC_URL: sandbox.env.PANEL_URL! }));
    expect(bad.map((r) => r.name)).toEqual(["PUBLIC_URL"]);
    expect(bad[0]!.detail).toContain("not as this bot");
  });

  it("tells a payment method spelled differently from the one recent payments use", async () => {
    sandbox.panel.addUser("checker", 0);
    await fetch(`${sandbox.env.PANEL_URL}/adminapi/v2/payments/add`, {
      method: "POST",
      headers: { "x-api-key": sandbox.env.PANEL_API_KEY!, "content-type": "application/json" },
      body: JSON.stringify({ username: "checker", amount: 0.01, method: "KHQR", memo: "test" }),
    });
    const good = (await check()).find((r) => r.name === "Panel payment method");
    expect(good?.level).toBe("pass");
    const bad = failed(await check({ PANEL_PAYMENT_METHOD: "khqr" }));
    expect(bad.map((r) => r.name)).toEqual(["Panel payment method"]);
    expect(bad[0]!.fix).toContain("PANEL_PAYMENT_METHOD=KHQR");
  });

  it("checks a SocPanel token with its order list", async () => {
    const soc = await startSocPanelSimulator({ apiKey: "socpanel-token-123" });
    try {
      const socEnv = { PANEL_TYPE: "socpanel", PANEL_URL: soc.url, PANEL_API_KEY: "socpanel-token-123" };
      expect(failed(await check(socEnv))).toEqual([]);
      const bad = failed(await check({ ...socEnv, PANEL_API_KEY: "a-wrong-socpanel-token" }));
      expect(bad.map((r) => r.name)).toEqual(["Panel"]);
    } finally {
      await soc.close();
    }
  });
});

describe("Bakong token expiry (a JWT's exp)", () => {
  const jwt = (expSeconds: number) =>
    ["e30", Buffer.from(JSON.stringify({ exp: expSeconds })).toString("base64url"), "c2ln"].join(".");
  const day = 86_400;

  it.each([
    [60, "pass"],
    [5, "warn"],
    [-1, "fail"],
  ] as const)("a token ending in %i day(s) is %s", async (days, level) => {
    const token = jwt(Math.floor(Date.now() / 1000) + days * day + 3_600);
    const bakong = await startBakongSimulator({ token, accounts: ["sandbox_shop@aclb"] });
    try {
      const results = await check({ BAKONG_API_URL: bakong.url, BAKONG_TOKEN: token });
      const line = results.find((r) => r.name === "Bakong")!;
      expect(line.level).toBe(level);
      if (level !== "fail") expect(line.detail).toContain(`expires on ${new Date(Date.now() + days * day * 1000 + 3_600_000).toISOString().slice(0, 10)}`);
      else expect(line.fix).toContain("renew");
    } finally {
      await bakong.close();
    }
  });
});

describe("at start-up in live mode", () => {
  it("runs the same check: logged line by line, and shown on /readyz", async () => {
    const port = await freePort();
    const program = startProgram({ ...env, HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, PANEL_API_KEY: "a-wrong-panel-key", LOG_LEVEL: "info" });
    try {
      const line = await program.logLine(/^self-check$/, 30_000);
      expect(line).toHaveProperty("check");
      const url = await program.url();
      await expect.poll(async () => ((await (await fetch(`${url}/readyz`)).json()) as { selfCheck?: string[] }).selfCheck, { timeout: 15_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(/^✗ Panel: .*PANEL_API_KEY is wrong/), expect.stringMatching(/^✓ PUBLIC_URL: /)]));
    } finally {
      program.kill();
    }
  }, 60_000);
});
