import { connect } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/core.js";
import { startWebhookServer } from "./webhook-server.js";

describe("a provider that hangs up mid-body", () => {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let server: Awaited<ReturnType<typeof startWebhookServer>>;
  beforeAll(async () => {
    server = await startWebhookServer({}, pino({ level: "debug" }, sink));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("is logged at debug without a stack, stores nothing, and the server goes on answering", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("POST /webhooks/raksmeypay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"transaction_id\":");
    // Long enough for the server to start reading the body.
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await eventually(async () => lines.some((l) => l.msg === "webhook client went away mid-body"), "the hang-up logged at debug");
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(lines.find((l) => l.msg === "webhook client went away mid-body")).toMatchObject({ level: 20 });
    expect(lines.some((l) => l.err !== undefined)).toBe(false);
    expect(await server.database.db.payment.count()).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
