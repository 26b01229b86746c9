import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentProvider, WebhookResult } from "../../src/payments/provider.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import type { Providers } from "../../src/payments/topups.js";
import { startCore, userFor, type Core } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

/** An adapter that verifies nothing and reports what the request body says: the handler is under test here. */
function reportingProvider(name: "payway" | "raksmeypay", signedWebhook: boolean): PaymentProvider {
  return {
    name,
    capabilities: { presentation: "qr", statusApi: false, webhook: true, signedWebhook, pollConcurrency: 1, pollBatch: 1 },
    create: async () => ({ qr: "unused" }),
    verifyWebhook: async (req) => JSON.parse(req.rawBody.toString()) as WebhookResult,
  };
}

describe("a verified notification that is not a payment but names one of our orders", () => {
  let database: TestDatabase;
  let core: Core;
  beforeAll(async () => {
    database = await freshSqlite();
    const providers: Providers = new Map([["payway", reportingProvider("payway", false)], ["raksmeypay", reportingProvider("raksmeypay", true)]]);
    core = await startCore({ database, providers, panel: createPanelClient({ type: "perfectpanel", url: "http://127.0.0.1:9", apiKey: "x", paymentMethod: "KHQR", currency: "USD" }), poller: false });
    const userId = await userFor(database, "notice");
    await database.db.topUp.create({
      data: { reference: "KQ-NOTICE-1", userId, chatId: 1n, provider: "payway", currency: "USD", amountMinor: 500, panelLogin: "notice", status: "PENDING", expiresAt: new Date(Date.now() + 60_000) },
    });
  });
  afterAll(async () => {
    await core?.stop();
    await database?.drop();
  });
  const post = (name: string, result: WebhookResult) =>
    fetch(`${core.url}/webhooks/${name === "payway" ? "payway/token" : name}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(result) });
  const notices = () => database.db.notification.findMany({ where: { kind: "admin.notice" } });

  it("100 identical deliveries make one admin note, answered 200", async () => {
    const ignored: WebhookResult = { kind: "ignored", reason: "status 3", adminNote: { reference: "KQ-NOTICE-1", detail: 'PayWay status "3" (PENDING) on an order of ours' } };
    const statuses = await Promise.all(Array.from({ length: 100 }, () => post("payway", ignored).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const rows = await notices();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.payload)).toEqual({ kind: "admin.notice", provider: "payway", reference: "KQ-NOTICE-1", detail: 'PayWay status "3" (PENDING) on an order of ours' });
    expect((await post("payway", { ...ignored, adminNote: { reference: "KQ-NOTICE-1", detail: "another status" } })).status).toBe(200);
    expect(await notices()).toHaveLength(2);
  });

  it("from an unsigned provider, naming no order of ours, it is not verified: 404, no note", async () => {
    const before = (await notices()).length;
    expect((await post("payway", { kind: "ignored", reason: "status 3", adminNote: { reference: "KQ-NOT-OURS", detail: "x" } })).status).toBe(404);
    expect(await notices()).toHaveLength(before);
  });

  it("from a signed provider, a signal for an unknown order is kept as an admin note, not refused", async () => {
    const before = (await notices()).length;
    expect((await post("raksmeypay", { kind: "signal", reference: "KQ-NOT-OURS" })).status).toBe(200);
    expect(await notices()).toHaveLength(before + 1);
  });
});
