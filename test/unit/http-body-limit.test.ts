import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics.js";
import { createHttpApp, MAX_BODY_BYTES, type HttpAppDeps } from "../../src/server/app.js";
import { silentLog } from "../support/core.js";

/** The HTTP surface with no shop and one mounted route that takes a body (as the Telegram webhook does). */
function app() {
  const deps: HttpAppDeps = { metrics: createMetrics(), log: silentLog, ready: async () => ({ ok: true, checks: {} }) };
  return createHttpApp({ ...deps, mount: (a) => a.post("/echo", async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength })) });
}

describe("request bodies are capped on the routes that take them", () => {
  const big = "x".repeat(MAX_BODY_BYTES + 1);

  it("a POST over the cap is answered 413, whether its length is stated or it is streamed", async () => {
    expect((await app().request("/echo", { method: "POST", body: big, headers: { "content-length": String(big.length) } })).status).toBe(413);
    const chunks = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    expect((await app().request("/echo", { method: "POST", body: chunks, duplex: "half" } as RequestInit)).status).toBe(413);
  });

  it("a POST within the cap is read whole", async () => {
    const res = await app().request("/echo", { method: "POST", body: "x".repeat(MAX_BODY_BYTES) });
    expect(await res.json()).toEqual({ bytes: MAX_BODY_BYTES });
  });
});
