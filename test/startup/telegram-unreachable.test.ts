import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { newReference } from "../../src/ledger/reference.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { eventually } from "../support/core.js";
import { closedPort, startProgram, type Program } from "./program.js";
import { fakeBotToken } from "../support/bot-token.js";

const RP = { profileId: "startup-profile", profileKey: "startup-profile-key", webhookApiKey: "startup-webhook-key" };
const METRICS_TOKEN = "metrics-token-0123456789";

describe("start-up while Telegram is unreachable", () => {
  let dir: string;
  let database: Database;
  let raksmeypay: RaksmeyPaySimulator;
  let panel: PanelSimulator;
  let program: Program;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-startup-"));
    const databaseUrl = `file:${join(dir, "bot.db")}`;
    database = await openDatabase(databaseUrl);
    raksmeypay = await startRaksmeyPaySimulator({ ...RP, currency: "USD" });
    panel = await startPerfectPanelSimulator({ apiKey: "startup-panel-key", users: { alice: 0 } });
    program = startProgram({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "info",
      BOT_TOKEN: fakeBotToken(123456, "startup-token"),
      ADMIN_IDS: "7",
      MERCHANT_NAME: "Startup Shop",
      TELEGRAM_API_ROOT: `http://127.0.0.1:${await closedPort()}`,
      RAKSMEYPAY_BASE_URL: raksmeypay.url,
      RAKSMEYPAY_PROFILE_ID: RP.profileId,
      RAKSMEYPAY_PROFILE_KEY: RP.profileKey,
      RAKSMEYPAY_WEBHOOK_API_KEY: RP.webhookApiKey,
      PANEL_URL: panel.url,
      PANEL_API_KEY: "startup-panel-key",
      METRICS_TOKEN,
    });
    url = await program.url();
  });
  afterAll(async () => {
    program?.kill();
    await database?.close();
    await raksmeypay?.close();
    await panel?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /healthz", async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("logs each failed attempt with the time of the next one", async () => {
    const first = await program.logLine(/cannot reach Telegram/);
    expect(first).toMatchObject({ level: 40, attempt: 1, error: "ECONNREFUSED" });
    expect(Date.parse(String(first.nextAttemptAt))).toBeGreaterThan(Number(first.time));
    const attempts = () => program.stdout.filter((l) => l.includes("cannot reach Telegram")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const second = (await eventually(async () => attempts()[1], "a second attempt"))!;
    expect(second).toMatchObject({ attempt: 2 });
    expect(program.stdout.join("\n")).not.toContain("startup-token");
  });

  it("/readyz is 503 and says that Telegram is why", async () => {
    // The crediting thread loads in the background after "listening": wait until /readyz says it runs.
    const body = (await eventually(async () => {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      const read = (await res.json()) as { checks: Record<string, boolean>; reason: string };
      return read.checks.crediter ? read : undefined;
    }, "the crediter running"))!;
    expect(body.checks).toMatchObject({ database: true, telegram: false, crediter: true, poller: true });
    expect(body.reason).toMatch(/^Telegram unreachable: ECONNREFUSED \(attempt \d+, next at \d{4}-/);
  });

  it("records a provider webhook and credits the panel meanwhile", async () => {
    const user = await database.db.user.create({ data: { telegramId: 5001n, panelLogin: "alice" } });
    const reference = newReference(new Date());
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + 600_000);
    await database.db.topUp.create({
      data: { reference, userId: user.id, chatId: 5001n, provider: "raksmeypay", currency: "USD", amountMinor: 1250, panelLogin: "alice", status: "PENDING", createdAt, expiresAt },
    });
    const adapter = createRaksmeyPayProvider({ baseUrl: raksmeypay.url, ...RP, qrTemplate: 2 }, { log: pino({ level: "silent" }) });
    await adapter.create({ reference, amountMinor: 1250, currency: "USD", panelLogin: "alice", createdAt, expiresAt });
    raksmeypay.setWebhookUrl(`${url}/webhooks/raksmeypay`);
    await raksmeypay.pay({ reference });

    expect(raksmeypay.deliveries.at(-1)).toMatchObject({ status: 200 });
    const payments = await database.db.payment.findMany({ where: { provider: "raksmeypay" } });
    // A RaksmeyPay payment is keyed by its bank transaction (bakong_hash) and carries our reference.
    expect(payments).toMatchObject([{ providerTxnId: expect.stringMatching(/^[0-9a-f]{40}$/), reference, amountMinor: 1250, source: "webhook" }]);
    await eventually(async () => panel.payments.find((p) => p.login === "alice" && p.amountMinor === 1250), "the panel credit");
    expect(await program.logLine(/^webhook$/)).toMatchObject({ level: 30, provider: "raksmeypay", status: 200, path: "/webhooks/raksmeypay" });
  });

  it("/metrics wants METRICS_TOKEN as a bearer token", async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("khqr_webhooks_accepted_total");
  });

  it("stops on SIGTERM: logs stopped, exit 0", async () => {
    program.child.kill("SIGTERM");
    expect(await program.exited).toEqual({ code: 0, signal: null });
    expect(program.stdout.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(program.stderr()).toBe("");
  });
});
