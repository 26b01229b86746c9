import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { eventually, startCore, userFor, type Core } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

const CREDS = { profileId: "p-logs", profileKey: "k-logs-secret-profile-key", webhookApiKey: "w-logs-secret-webhook-key" };
const PANEL_KEY = "panel-key-logs-secret";

/** Issue 20 item 6: the lines an operator searches carry the reference, provider, amount and login, and no secret. */
describe("log lines an operator can search", () => {
  let database: TestDatabase;
  let sim: RaksmeyPaySimulator;
  let panelSim: PanelSimulator;
  let core: Core;
  const lines: Record<string, unknown>[] = [];
  let raw = "";

  beforeAll(async () => {
    database = await freshSqlite();
    sim = await startRaksmeyPaySimulator({ ...CREDS, merchantName: "Log Shop" });
    panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { sreymom: 0 } });
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        raw += chunk.toString("utf8");
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const log = createLogger({ level: "info", secrets: [CREDS.profileKey, CREDS.webhookApiKey, PANEL_KEY], destination });
    const providers: Providers = new Map([["raksmeypay", createRaksmeyPayProvider({ baseUrl: sim.url, qrTemplate: 2, ...CREDS }, { log })]]);
    const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" }, { log });
    core = await startCore({ database, providers, panel, poller: false, log });
    sim.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);
  });
  afterAll(async () => {
    await core?.stop();
    await sim?.close();
    await panelSim?.close();
    await database?.drop();
  });

  it("payment recorded and credit applied name the reference, provider, amount and login", async () => {
    const userId = await userFor(database, "sreymom");
    const started = await core.topUps.start({ userId, chatId: 1n, amountMinor: 12_50, provider: "raksmeypay" });
    if (!started.ok) throw new Error(started.reason);
    await sim.pay({ reference: started.topUp.reference, qr: started.payment.qr });
    await eventually(async () => lines.some((l) => l.msg === "credit applied"), "credit applied logged");
    const recorded = lines.find((l) => l.msg === "payment recorded");
    expect(recorded).toMatchObject({ reference: started.topUp.reference, provider: "raksmeypay", amount: "12.50 USD", login: "sreymom" });
    const applied = lines.find((l) => l.msg === "credit applied");
    expect(applied).toMatchObject({ provider: "raksmeypay", amount: "12.50 USD", login: "sreymom" });
    expect(String(applied!.memo)).toContain(started.topUp.reference);
    for (const secret of [CREDS.profileKey, CREDS.webhookApiKey, PANEL_KEY]) expect(raw).not.toContain(secret);
  });
});
