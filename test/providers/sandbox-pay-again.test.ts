import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../src/http/outbound.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { sandboxPage, type OpenTopUp } from "../../sandbox/page/routes.js";
import type { RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";

/** The bank pane's "Pay again": the same QR paid a second time, as a repeat payment a merchant can watch. */
describe("sandbox bank pane: pay a QR again", () => {
  let sandbox: Sandbox;
  let server: RunningServer;
  const open: OpenTopUp[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ providers: ["raksmeypay"] });
    const app = new Hono();
    sandboxPage(app, sandbox, { openTopUps: async () => open });
    server = await serveApp(app);
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
  });

  const post = (path: string, body: unknown) =>
    send(`${server.url}/sandbox/api${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), timeoutMs: 5_000 });

  it("pays a paid top-up's QR again with a new bank transaction, and refuses one never paid in the pane", async () => {
    const env = sandbox.env;
    const adapter = createRaksmeyPayProvider(
      { baseUrl: env.RAKSMEYPAY_BASE_URL!, profileId: env.RAKSMEYPAY_PROFILE_ID!, profileKey: env.RAKSMEYPAY_PROFILE_KEY!, webhookApiKey: env.RAKSMEYPAY_WEBHOOK_API_KEY!, qrTemplate: 2 },
      { log: pino({ level: "silent" }) },
    );
    const reference = "26120399990001";
    const createdAt = new Date();
    const created = await adapter.create({ reference, amountMinor: 500, currency: "USD", panelLogin: "alice", createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) });
    open.push({ reference, provider: "raksmeypay", qr: created.qr!, checkoutUrl: null, amountMinor: 500, currency: "USD" });

    expect((await post("/pay-again", { reference })).status).toBe(404);
    const first = await post("/pay", { reference });
    expect(first.status).toBe(200);
    open.length = 0; // paid: no longer waiting for payment
    const again = await post("/pay-again", { reference });
    expect(again.status).toBe(200);

    const payments = (sandbox.providers.get("raksmeypay") as RaksmeyPaySimulator).transaction(reference)!.payments;
    expect(payments).toHaveLength(2);
    expect(JSON.parse(first.text).providerTxnId).toBe(payments[0]!.bakongHash);
    expect(JSON.parse(again.text)).toMatchObject({ ok: true, reference, amount: "5.00 USD", providerTxnId: payments[1]!.bakongHash });
    const listed = JSON.parse((await send(`${server.url}/sandbox/api/topups`, { method: "GET", timeoutMs: 5_000 })).text) as { paid: { reference: string }[] };
    expect(listed.paid.filter((p) => p.reference === reference)).toHaveLength(2);
  });
});
