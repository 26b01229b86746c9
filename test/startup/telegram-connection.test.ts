import { Bot } from "grammy";
import { createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { connectTelegram, TelegramRefusedError } from "../../src/startup/telegram.js";
import { eventually } from "../support/core.js";

function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

describe("connecting to Telegram", () => {
  let telegram: FakeTelegram;
  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    telegram = await createFakeTelegram();
    // Accepts connections and never answers: a Telegram (or a proxy) that hangs.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", () => done()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await telegram?.close();
  });

  it("connects, runs the set-up once, and is ready", async () => {
    const token = "4100000001:connection-ok";
    telegram.bot(token, { username: "conn_ok_bot" });
    const bot = new Bot(token, { client: { apiRoot: telegram.url } });
    let setUps = 0;
    const { log } = memoryLog();
    const connection = connectTelegram(bot, { log, setUp: async () => void setUps++ });
    expect(connection.notReadyReason()).toBe("connecting to Telegram");
    await connection.connected;
    expect(connection.notReadyReason()).toBeUndefined();
    expect(bot.botInfo.username).toBe("conn_ok_bot");
    expect(setUps).toBe(1);
  });

  it("a token Telegram does not know is refused at once, naming BOT_TOKEN", async () => {
    const bot = new Bot("4100000002:unknown-token", { client: { apiRoot: telegram.url } });
    const { log, lines } = memoryLog();
    const connection = connectTelegram(bot, { log, setUp: async () => undefined });
    const err = await connection.connected.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramRefusedError);
    expect((err as Error).message).toBe("Telegram refused BOT_TOKEN (401 Unauthorized): copy the token again from @BotFather");
    expect(lines).toEqual([]);
  });

  it("a webhook address Telegram refuses ends it, naming PUBLIC_URL", async () => {
    const token = "4100000003:webhook-refused";
    telegram.bot(token, { username: "conn_webhook_bot" });
    const bot = new Bot(token, { client: { apiRoot: telegram.url } });
    const { log } = memoryLog();
    const connection = connectTelegram(bot, { log, setUp: async () => void (await bot.api.setWebhook("ftp://pay.example.com/telegram")) });
    const err = await connection.connected.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramRefusedError);
    expect((err as Error).message).toMatch(/^Telegram refused the webhook address built from PUBLIC_URL \(400 Bad Request: bad webhook/);
  });

  it("a Telegram that never answers: each attempt times out, is logged with the next try, and stop() ends the retries", async () => {
    const { port } = silent.address() as { port: number };
    const bot = new Bot("4100000004:hanging", { client: { apiRoot: `http://127.0.0.1:${port}` } });
    const { log, lines } = memoryLog();
    const connection = connectTelegram(bot, { log, setUp: async () => undefined, attemptTimeoutMs: 200, firstRetryMs: 50, maxRetryMs: 100 });
    await eventually(async () => lines.length >= 3, "three failed attempts");
    expect(lines.slice(0, 3).map((l) => l.attempt)).toEqual([1, 2, 3]);
    for (const line of lines) expect(line).toMatchObject({ level: 40, msg: expect.stringMatching(/^cannot reach Telegram/), nextAttemptAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    expect(JSON.stringify(lines)).not.toContain("hanging");
    expect(lines[0]).toMatchObject({ error: "no answer within 0.2 s" });
    expect(connection.notReadyReason()).toMatch(/^Telegram unreachable: .* \(attempt \d+, next at /);
    connection.stop();
    await expect(connection.connected).rejects.toThrow("stopped before Telegram was reached");
  });
});
