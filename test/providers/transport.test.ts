import { Writable } from "node:stream";
import { Hono } from "hono";
import pino from "pino";
import { z } from "zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS } from "../../src/http/retry-after.js";
import { ProviderError } from "../../src/payments/provider.js";
import { ProviderTransport, readJson, timedOut, type ProviderRequest } from "../../src/payments/provider-transport.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

const SECRET = "transport-secret-0123456789";
const BEARER = "bearer-token-abcdef987654";

let stub: RunningServer;
let answer: { status: number; body: string; headers?: Record<string, string>; holdMs?: number };
const logLines: Record<string, unknown>[] = [];
const log = pino(
  { level: "debug" },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  }),
);

beforeAll(async () => {
  const app = new Hono();
  app.post("/api", async (c) => {
    if (answer.holdMs) await new Promise((r) => setTimeout(r, answer.holdMs));
    return c.body(answer.body, answer.status as 200, answer.headers ?? {});
  });
  stub = await serveApp(app);
});
afterAll(() => stub.close());
beforeEach(() => {
  logLines.length = 0;
  answer = { status: 200, body: "{}" };
});

const transport = (timeoutMs = 2_000) => new ProviderTransport({ provider: "kess", label: "KESS", timeoutMs, log, secrets: [SECRET, undefined, "k"], now: () => 0 });
const req: ProviderRequest = { method: "POST", headers: { authorization: `Bearer ${BEARER}` }, body: "{}" };

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("ProviderTransport", () => {
  it("returns 2xx, 3xx and 4xx answers for the adapter to read, and logs one debug line per call", async () => {
    for (const status of [200, 302, 400, 401, 404]) {
      answer = { status, body: `{"status":${status}}` };
      expect((await transport().call(`${stub.url}/api`, req, { name: "queryOrder" })).status).toBe(status);
    }
    expect(logLines.map((l) => [l.level, l.msg, l.op, l.status])).toEqual(
      [200, 302, 400, 401, 404].map((status) => [20, "provider call", "queryOrder", status]),
    );
  });

  it("nothing listening → unavailable, saying nothing was sent", async () => {
    const err = await failure(transport().call("http://127.0.0.1:9/api", req, { name: "nativePay", write: true }));
    expect(err.kind).toBe("unavailable");
    expect(err.message).toMatch(/^KESS unreachable during nativePay \(.*\): nothing was sent$/);
    expect(timedOut(err)).toBe(false);
    expect(logLines).toMatchObject([{ level: 20, msg: "provider call failed", op: "nativePay", phase: "not_sent" }]);
  });

  it("no answer in time → unavailable; a write may have been applied, a read is only unanswered", async () => {
    answer = { status: 200, body: "{}", holdMs: 3_000 };
    const write = await failure(transport(200).call(`${stub.url}/api`, req, { name: "nativePay", write: true }));
    expect(write).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^no answer from KESS to nativePay \(timed out.*\): it may have been applied$/) });
    expect(timedOut(write)).toBe(true);
    const read = await failure(transport(200).call(`${stub.url}/api`, req, { name: "queryOrder" }));
    expect(read.message).toMatch(/^no answer from KESS to queryOrder \(timed out[^)]*\)$/);
  });

  it.each([
    ["seconds", "3", 3_000],
    ["an HTTP date", "Thu, 01 Jan 1970 00:00:05 GMT", 5_000],
    ["garbage", "later", undefined],
    ["an absurd value", "99999999", MAX_RETRY_AFTER_MS],
  ])("429 with Retry-After as %s → rate_limited", async (_name, header, ms) => {
    answer = { status: 429, body: "slow down", headers: { "retry-after": header } };
    const err = await failure(transport().call(`${stub.url}/api`, req, { name: "queryOrder" }));
    expect(err).toMatchObject({ kind: "rate_limited", message: "KESS: too many requests (HTTP 429)", opts: { code: 429 } });
    expect(err.opts.retryAfterMs).toBe(ms);
  });

  it("5xx → unavailable with the status and any Retry-After, or the adapter's own reading of it", async () => {
    answer = { status: 503, body: "maintenance", headers: { "retry-after": "60" } };
    const err = await failure(transport().call(`${stub.url}/api`, req, { name: "queryOrder" }));
    expect(err).toMatchObject({ kind: "unavailable", message: "KESS answered HTTP 503 to queryOrder", opts: { code: 503, retryAfterMs: 60_000, cause: "maintenance" } });
    const own = await failure(transport().call(`${stub.url}/api`, req, {
      name: "queryOrder",
      serverError: (a) => new ProviderError("kess", "unavailable", `KESS: under maintenance (${a.status})`, { code: "FEATURE_UNDER_MAINTENANCE" }),
    }));
    expect(own).toMatchObject({ kind: "unavailable", message: "KESS: under maintenance (503)", opts: { code: "FEATURE_UNDER_MAINTENANCE" } });
  });

  it("keeps configured secrets and the call's bearer token out of messages, quotes and logs", async () => {
    answer = { status: 500, body: `echo ${SECRET} ${encodeURIComponent(BEARER)} Bearer ${BEARER}` };
    const t = transport();
    const err = await failure(t.call(`${stub.url}/api`, req, {
      name: "refund",
      serverError: (a) => new ProviderError("kess", "unavailable", `KESS said: ${a.text}`),
    }));
    expect(err.message).toBe("KESS said: echo [REDACTED] [REDACTED] Bearer [REDACTED]");
    const plain = await failure(t.call(`${stub.url}/api`, req, { name: "refund" }));
    expect(plain.opts.cause).toBe("echo [REDACTED] [REDACTED] Bearer [REDACTED]");
    expect(t.error("invalid_response", `odd answer ${SECRET}`).message).toBe("odd answer [REDACTED]");
    // Secrets too short to scrub safely are left alone rather than cut out of every word.
    expect(t.scrub("key k")).toBe("key k");
    expect(JSON.stringify(logLines)).not.toContain(SECRET);
    expect(JSON.stringify(logLines)).not.toContain(BEARER);
  });
});

describe("readJson", () => {
  const shape = z.object({ success: z.boolean(), data: z.unknown().optional() });

  it("the value of the documented shape, with the JSON it came in", () => {
    expect(readJson('{"success":true,"data":1,"extra":2}', shape)).toEqual({ ok: true, value: { success: true, data: 1 }, json: { success: true, data: 1, extra: 2 } });
  });

  it("not JSON, or JSON of another shape, says which", () => {
    expect(readJson("<html>oops</html>", shape)).toEqual({ ok: false, json: undefined, problem: "not JSON" });
    expect(readJson('{"data":{}}', shape)).toMatchObject({ ok: false, json: { data: {} }, problem: expect.stringMatching(/^success: /) });
    expect(readJson("[1]", shape)).toMatchObject({ ok: false, json: [1], problem: expect.stringMatching(/^body: /) });
  });
});
