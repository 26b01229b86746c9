import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { postgresAvailable, POSTGRES_ADMIN_URL } from "../support/databases.js";
import { closedPort, startProgram } from "./program.js";
import { fakeBotToken } from "../support/bot-token.js";

/** A live configuration whose outside parties are all on loopback; nothing in these tests gets far enough to call them. */
async function liveEnv(overrides: Record<string, string>): Promise<Record<string, string>> {
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  return {
    LOG_LEVEL: "info",
    BOT_TOKEN: fakeBotToken(123456, "refused-token-value"),
    ADMIN_IDS: "7",
    MERCHANT_NAME: "Refusals Shop",
    TELEGRAM_API_ROOT: nowhere,
    BAKONG_API_URL: nowhere,
    BAKONG_TOKEN: "refusal-bakong-token",
    BAKONG_ACCOUNT_ID: "shop@aclb",
    PANEL_URL: nowhere,
    PANEL_API_KEY: "refusal-panel-key",
    ...overrides,
  };
}

/** Runs the program to its exit; it must exit by itself (the test times out otherwise). */
async function runToExit(env: Record<string, string>) {
  const program = startProgram(env);
  const exit = await program.exited;
  return { ...exit, stderr: program.stderr(), stdout: program.stdout.join("\n") };
}

function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe("start-up refusals: one line, a clear exit code", () => {
  let dir: string;
  let telegram: FakeTelegram;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-refusals-"));
    telegram = await createFakeTelegram();
  });
  afterAll(async () => {
    await telegram?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("Telegram refuses the token (401): one line naming BOT_TOKEN, exit 2", async () => {
    const run = await runToExit(await liveEnv({ TELEGRAM_API_ROOT: telegram.url, DATABASE_URL: `file:${join(dir, "token.db")}` }));
    expect(run.code).toBe(2);
    expect(expectOneLine(run.stderr)).toMatch(/^Telegram refused BOT_TOKEN \(401 Unauthorized\)/);
    expect(run.stdout + run.stderr).not.toContain("refused-token-value");
  });

  it.each([
    ["a folder that cannot be created", "file:/proc/1/x/bot.db", /^cannot create the folder \/proc\/1\/x for the SQLite database \/proc\/1\/x\/bot\.db: /],
    ["a file where a folder should be", "file:/etc/hostname/data/bot.db", /^cannot create the SQLite database \/etc\/hostname\/data\/bot\.db: \/etc\/hostname is a file, not a folder$/],
    ["a folder where the database file should be", "file:/tmp", /^cannot open the SQLite database \/tmp: /],
  ])("SQLite, %s: one line saying what and where, exit 1", async (_what, url, message) => {
    const run = await runToExit(await liveEnv({ DATABASE_URL: url }));
    expect(run.code).toBe(1);
    expect(expectOneLine(run.stderr)).toMatch(message);
  });

  it("PostgreSQL not listening: one line with host and port, exit 1", async () => {
    const port = await closedPort();
    const run = await runToExit(await liveEnv({ DATABASE_URL: `postgresql://bot:s3cret-pg-password@127.0.0.1:${port}/shop` }));
    expect(run.code).toBe(1);
    expect(expectOneLine(run.stderr)).toBe(`cannot open the PostgreSQL database shop at 127.0.0.1:${port}: connection refused (is the server running and listening there?)`);
    expect(run.stderr).not.toContain("s3cret-pg-password");
  });

  it("PostgreSQL that accepts the connection and never answers: one line after the connect deadline, exit 1", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", () => done()));
    try {
      const port = (silent.address() as { port: number }).port;
      const run = await runToExit(await liveEnv({ DATABASE_URL: `postgresql://bot@127.0.0.1:${port}/shop` }));
      expect(run.code).toBe(1);
      expect(expectOneLine(run.stderr)).toBe(`cannot open the PostgreSQL database shop at 127.0.0.1:${port}: no answer within 10 s (is the host reachable and the port right? a firewall dropping packets?)`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it.runIf(postgresAvailable)("PostgreSQL database missing: one line naming it, exit 1", async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = "/khqr_no_such_database";
    const run = await runToExit(await liveEnv({ DATABASE_URL: url.toString() }));
    expect(run.code).toBe(1);
    expect(expectOneLine(run.stderr)).toBe(`cannot open the PostgreSQL database khqr_no_such_database at ${url.hostname}:${url.port || "5432"}: database "khqr_no_such_database" does not exist (create it first)`);
  });

  it("the HTTP port is taken: one line naming HTTP_PORT, exit 1", async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", () => done()));
    try {
      const port = (taken.address() as { port: number }).port;
      const run = await runToExit(await liveEnv({ DATABASE_URL: `file:${join(dir, "port.db")}`, HTTP_PORT: String(port) }));
      expect(run.code).toBe(1);
      expect(expectOneLine(run.stderr)).toBe(`cannot listen on 127.0.0.1:${port} (HTTP_HOST, HTTP_PORT): EADDRINUSE`);
    } finally {
      taken.close();
    }
  });
});
