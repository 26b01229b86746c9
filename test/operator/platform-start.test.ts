import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openLedgerDatabase } from "../../src/ledger/hot-path.js";
import { fakeBotToken } from "../support/bot-token.js";
import { startProgram } from "../startup/program.js";

/*
 * The live program (src/main.ts) as a platform without a shop of its own: it starts with the process-wide
 * variables and MASTER_KEY; it refuses to start while the environment's shop still has money moving, and a
 * half-configured shop exactly as a single shop's; the operators' bot's variables are checked at start.
 */
const dir = mkdtempSync(join(tmpdir(), "khqr-platform-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MASTER_KEY = randomBytes(32).toString("base64");
const platformEnv = (database: string) => ({ DATABASE_URL: `file:${join(dir, database)}`, MASTER_KEY, PUBLIC_URL: "http://127.0.0.1:9", LOG_LEVEL: "info" });

/** Runs the program to its exit; stderr's lines. */
async function exitOf(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const program = startProgram(env);
  const exit = await program.exited;
  return { code: exit.code, lines: program.stderr().trimEnd().split("\n") };
}

describe("starting a platform without the environment's shop", { timeout: 90_000 }, () => {
  it("starts with no shop variable: the environment shop's addresses are 404", async () => {
    const program = startProgram(platformEnv("empty.db"));
    try {
      const url = await program.url();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/telegram`, { method: "POST", body: "{}" })).status).toBe(404);
      expect((await fetch(`${url}/webhooks/kess`, { method: "POST", body: "{}" })).status).toBe(404);
      expect((await program.logLine(/listening/)).shop).toMatch(/^none/);
    } finally {
      program.kill();
    }
  });

  it("refuses to start while the environment's shop has a top-up awaiting payment, naming BOT_TOKEN (exit 2)", async () => {
    const database = await openLedgerDatabase(platformEnv("pending.db").DATABASE_URL);
    try {
      const user = await database.db.user.create({ data: { telegramId: 42n, panelLogin: "dara" } });
      await database.db.topUp.create({ data: { reference: "26120700000001", userId: user.id, chatId: 42n, provider: "kess", currency: "USD", amountMinor: 500, panelLogin: "dara", status: "PENDING", expiresAt: new Date(Date.now() + 600_000) } });
    } finally {
      await database.close();
    }
    const run = await exitOf(platformEnv("pending.db"));
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      "Invalid configuration:",
      expect.stringMatching(/^ {2}- BOT_TOKEN: not set, but the environment's shop \(merchant "default"\) still has 1 top-up\(s\) awaiting payment: start with its variables/),
    ]);
  });

  it("refuses a half-configured shop as a single shop's start does (exit 2, each variable named)", async () => {
    const run = await exitOf({ ...platformEnv("half.db"), BOT_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "a-secret", BOT_TOKEN: fakeBotToken(7_300_000_001, "half-configured") });
    expect(run.code).toBe(2);
    expect(run.lines[0]).toBe("Invalid configuration:");
    expect(run.lines.join("\n")).toContain("PANEL_URL: required but not set");
    expect(run.lines.join("\n")).toContain("PAYMENT_PROVIDERS: no payment provider is configured");
  });

  it("checks the operators' bot's variables: operators with it, a platform under it (exit 2)", async () => {
    const token = fakeBotToken(7_300_000_009, "operators-bot");
    const noOperators = await exitOf({ ...platformEnv("ops.db"), PLATFORM_BOT_TOKEN: token });
    expect(noOperators.code).toBe(2);
    expect(noOperators.lines).toEqual(["Invalid configuration:", expect.stringMatching(/^ {2}- PLATFORM_ADMIN_IDS: required with PLATFORM_BOT_TOKEN/)]);
    const { MASTER_KEY: _, ...singleShop } = platformEnv("ops.db");
    const noPlatform = await exitOf({ ...singleShop, PLATFORM_BOT_TOKEN: token, PLATFORM_ADMIN_IDS: "1", BOT_TOKEN: fakeBotToken(7_300_000_001, "shop") });
    expect(noPlatform.code).toBe(2);
    expect(noPlatform.lines).toEqual(["Invalid configuration:", expect.stringMatching(/^ {2}- PLATFORM_BOT_TOKEN: the operators' bot belongs to a platform: set MASTER_KEY/)]);
  });
});
