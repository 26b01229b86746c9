import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { silentLog, startCore, type Core } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

/** Sends raw bytes the way a client without Content-Length does (chunked), or with a stated length. */
function post(url: string, body: Buffer, opts: { chunked: boolean; contentLength?: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (opts.chunked) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = opts.contentLength ?? String(body.length);
    const req = request(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    if (opts.chunked) {
      for (let i = 0; i < body.length; i += 8 * 1024) req.write(body.subarray(i, i + 8 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe("webhook body reading", () => {
  let database: TestDatabase;
  let core: Core;
  beforeAll(async () => {
    database = await freshSqlite();
    const providers = new Map([["raksmeypay" as const, createRaksmeyPayProvider({ baseUrl: "http://127.0.0.1:9", qrTemplate: 2, profileId: "p", profileKey: "k", webhookApiKey: "w" }, { log: silentLog })]]);
    const panel = createPanelClient({ type: "perfectpanel", url: "http://127.0.0.1:9", apiKey: "x", paymentMethod: "KHQR", currency: "USD" });
    core = await startCore({ database, providers, panel, poller: false });
  });
  afterAll(async () => {
    await core?.stop();
    await database?.drop();
  });

  const big = Buffer.alloc(64 * 1024 + 1, 0x20);
  it("a stated Content-Length over 64 KiB is answered 413 before the body is read", async () => {
    expect((await post(`${core.url}/webhooks/raksmeypay`, big, { chunked: false })).status).toBe(413);
  });
  it("a chunked body that grows past 64 KiB is answered 413", async () => {
    expect((await post(`${core.url}/webhooks/raksmeypay`, Buffer.concat([big, big]), { chunked: true })).status).toBe(413);
  });
  it("a body within the cap reaches the verifier (here: no API key, 401), chunked or not", async () => {
    const small = Buffer.from(JSON.stringify({ status: "success" }));
    for (const chunked of [false, true]) {
      const answer = await post(`${core.url}/webhooks/raksmeypay`, small, { chunked });
      expect(answer.status).toBe(401);
      expect(answer.text).toContain("X-Api-Key");
    }
    const exactly = Buffer.alloc(64 * 1024, 0x20);
    expect((await post(`${core.url}/webhooks/raksmeypay`, exactly, { chunked: false })).status).toBe(401);
  });
  it("nothing was recorded", async () => {
    expect(await database.db.payment.count()).toBe(0);
  });
});
