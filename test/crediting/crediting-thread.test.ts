import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { send } from "../../src/http/outbound.js";
import { CreditStatus, TopUpStatus } from "../../src/ledger/states.js";
import { createLogger } from "../../src/logger.js";
import { startApplication, type Application } from "../../src/main.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import { eventually, silentLog } from "../support/core.js";
import { SANDBOX_CUSTOMER, startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/**
 * On SQLite the crediter and the notifier run on a thread of their own (src/crediting/thread.ts). Their sweeps
 * are an hour apart here, so a payment is credited and its receipt sent only if wake-ups cross the threads.
 */
describe("crediting thread (SQLite)", () => {
  let dir: string;
  let sandbox: Sandbox;
  let app: Application;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-crediting-thread-"));
    sandbox = await startSandbox({ providers: ["raksmeypay"] });
    const config = loadConfig({ ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "info", DATABASE_URL: `file:${join(dir, "bot.db")}` }, { sandbox: true });
    const log = createLogger({
      level: "info",
      secrets: [],
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString("utf8"));
          done();
        },
      }),
    });
    app = await startApplication(config, { log, timings: { crediterSweepMs: 3_600_000, notifierSweepMs: 3_600_000 } });
    sandbox.connect(app.url);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("credits a payment recorded on the main thread once, sends its receipt, and shows the thread's metrics and logs", async () => {
    const ready = JSON.parse((await send(`${app.url}/readyz`, { method: "GET", timeoutMs: 5_000 })).text) as { checks: Record<string, boolean> };
    expect(ready.checks).toMatchObject({ crediter: true, notifier: true });

    const env = sandbox.env;
    const provider = createRaksmeyPayProvider(
      { baseUrl: env.RAKSMEYPAY_BASE_URL!, profileId: env.RAKSMEYPAY_PROFILE_ID!, profileKey: env.RAKSMEYPAY_PROFILE_KEY!, webhookApiKey: env.RAKSMEYPAY_WEBHOOK_API_KEY!, qrTemplate: 2 },
      { log: silentLog, currency: "USD" },
    );
    const reference = "26120700000001";
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + 600_000);
    const created = await provider.create({ reference, amountMinor: 500, currency: "USD", panelLogin: "dara", createdAt, expiresAt });
    const db = app.database.db;
    // The customer has started the bot (Telegram refuses messages to anyone else).
    const welcome = sandbox.bot.waitFor(SANDBOX_CUSTOMER.id, () => true, 20_000);
    sandbox.bot.sendText(SANDBOX_CUSTOMER.id, "/start");
    await welcome;
    const user = await db.user.upsert({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(SANDBOX_CUSTOMER.id) } }, create: { telegramId: BigInt(SANDBOX_CUSTOMER.id), panelLogin: "dara", language: "en" }, update: { panelLogin: "dara" } });
    const topUp = await db.topUp.create({
      data: { reference, userId: user.id, chatId: BigInt(SANDBOX_CUSTOMER.id), provider: "raksmeypay", currency: "USD", amountMinor: 500, panelLogin: "dara", status: TopUpStatus.PENDING, qr: created.qr ?? null, providerRef: created.providerRef ?? null, expiresAt },
    });

    await sandbox.providers.get("raksmeypay")!.pay({ reference, qr: created.qr ?? null });
    const receipt = await sandbox.bot.waitFor(SANDBOX_CUSTOMER.id, (m) => (m.text ?? "").includes(reference), 20_000);
    expect(receipt.text).toContain("Top-up successful");

    const credits = await db.credit.findMany({ where: { topUpId: topUp.id } });
    expect(credits.map((c) => c.status)).toEqual([CreditStatus.DONE]);
    expect((await db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe(TopUpStatus.CREDITED);

    // Counted in the thread, replayed on the main thread's registry, which /metrics and app.metrics read.
    const metrics = await eventually(async () => {
      const text = (await send(`${app.url}/metrics`, { method: "GET", timeoutMs: 5_000 })).text;
      return /^khqr_topups_credited_total 1$/m.test(text) && text;
    }, "the credit counted on /metrics");
    expect(metrics).toMatch(/^khqr_credit_latency_seconds_count 1$/m);
    expect((await app.metrics.topUpsCredited.get()).values[0]?.value).toBe(1);
    // The thread's log lines reach the application's logger.
    const applied = lines.map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg === "credit applied");
    expect(applied).toMatchObject({ thread: "crediting", worker: "crediter", memo: expect.stringContaining(reference) });
  }, 60_000);

  it("stops gracefully: the thread ends and the database closes", async () => {
    await app.stop();
    const stopped = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg === "stopped");
    expect(stopped).toHaveLength(1);
  }, 30_000);
});
