import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "khqr-config-errors-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start` in a child process with exactly `env` (the cwd has no .env). */
function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "src", "main.ts")], { cwd: dir, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe("bad configuration at start-up", { timeout: 90_000 }, () => {
  it("no configuration at all: the live program (which has no sandbox) names what it needs in one line and exits 2", async () => {
    const run = await start({});
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^No configuration: a live start needs BOT_TOKEN, .*PANEL_URL, PANEL_API_KEY .*`npm start`/)]);
    expect(run.stdout).toBe("");
  });

  it("exits 2 naming each variable, numbers in decimal digits only, no URL password and no stack trace", async () => {
    const run = await start({
      BOT_TOKEN: "1:x", PANEL_URL: "ftp://admin:panel-pass-9931@panel.example", PANEL_API_KEY: "k",
      BAKONG_TOKEN: "t", BAKONG_ACCOUNT_ID: "shop@aclb", BAKONG_API_URL: "https://api:bakong-pass-9932@bakong.example/",
      HTTP_PORT: "0x10", TOPUP_TTL_SECONDS: "1e3", ADMIN_IDS: "0b101", ADMIN_CHAT_ID: "1.0",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PANEL_URL: "ftp://admin:***@panel.example" is not an http(s) URL');
    expect(run.stderr).toMatch(/HTTP_PORT: must be a whole number from 0 to 65535 in decimal digits \(got "0x10"\)/);
    expect(run.stderr).toMatch(/TOPUP_TTL_SECONDS: must be a whole number .* \(got "1e3"\)/);
    expect(run.stderr).toContain('ADMIN_IDS: "0b101" is not a Telegram user id');
    expect(run.stderr).toContain('ADMIN_CHAT_ID: "1.0" is not a Telegram chat id');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/panel-pass-9931|bakong-pass-9932|\n\s+at /);
  });

  it("a live configuration with a malformed BOT_TOKEN, no MERCHANT_NAME, no admin to alert and an http PUBLIC_URL exits 2 naming each", async () => {
    const run = await start({
      BOT_TOKEN: "123456:not-from-botfather-9933", PANEL_URL: "https://panel.example", PANEL_API_KEY: "k",
      BAKONG_TOKEN: "t", BAKONG_ACCOUNT_ID: "shop@aclb", BOT_MODE: "webhook", PUBLIC_URL: "http://pay.example.com", TELEGRAM_WEBHOOK_SECRET: "s",
    });
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "Invalid configuration:",
      expect.stringMatching(/^ {2}- PUBLIC_URL: must be an https:\/\/ address/),
      expect.stringMatching(/^ {2}- BOT_TOKEN: does not look like a token from @BotFather/),
      "  - MERCHANT_NAME: required but not set",
      expect.stringMatching(/^ {2}- ADMIN_IDS, ADMIN_CHAT_ID: neither is set; held payments, orphan payments and outage alerts would reach no one/),
    ]);
    expect(run.stderr).not.toContain("not-from-botfather-9933");
  });
});
