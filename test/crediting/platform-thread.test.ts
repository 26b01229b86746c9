import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, loadProcessConfig, type ProcessConfig } from "../../src/config/config.js";
import { CreditKind, CreditStatus } from "../../src/ledger/states.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { createMerchantStore, secretValuesOf } from "../../src/platform/merchant-store.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { createFakeTelegram, type BotDriver, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { serveApp } from "../../sandbox/serve.js";
import { fakeBotToken } from "../support/bot-token.js";
import { eventually } from "../support/core.js";
import { freePort, merchantCli, writeMerchantEnv } from "../support/platform.js";

/*
 * On a SQLite file a platform credits and sends receipts on the crediting thread (src/crediting/thread.ts), for the
 * merchants it serves as they come and go. The application's logger here is a plain pino one (no secret mask of its
 * own), so what the thread's lines hide, the thread hid itself.
 */
const TIMINGS: Partial<Timings> = { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300 };
const MASTER_KEY = randomBytes(32).toString("base64");
const PANEL_KEY = "platform-thread-panel-key-5c1e";
const CUSTOMER = 730_000_001;
const ADMIN = 730_000_002;

interface Line {
  msg: string;
  thread?: string;
  memo?: string;
  merchantId?: number;
}

/** A platform of stored merchants only, on a SQLite file, its log lines kept. */
async function startPlatform(dir: string, telegramApiRoot: string): Promise<{ app: Application<ProcessConfig>; lines: string[]; cliEnv: Record<string, string> }> {
  const lines: string[] = [];
  const log = pino({ level: "debug" }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString("utf8")); done(); } }));
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const processEnv = {
    DATABASE_URL: `file:${join(dir, "platform.db")}`, BOT_MODE: "webhook", PUBLIC_URL: publicUrl, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port),
    LOG_LEVEL: "debug", MASTER_KEY, TELEGRAM_API_ROOT: telegramApiRoot,
  };
  const app = await startApplication(loadProcessConfig(processEnv), { log, timings: TIMINGS, platform: { masterKey: readMasterKey(processEnv), processEnv } });
  return { app, lines, cliEnv: { DATABASE_URL: processEnv.DATABASE_URL, MASTER_KEY, PUBLIC_URL: publicUrl } };
}

/** Adds merchant `name` with the CLI (its bot known to `telegram`) and waits until the platform serves it; returns its id. */
async function addMerchant(app: Application<ProcessConfig>, cliEnv: Record<string, string>, telegram: FakeTelegram, dir: string, m: { name: string; token: string; panel: PanelSimulator; kess: KessSimulator }): Promise<number> {
  const env = { ...cliEnv, TELEGRAM_API_ROOT: telegram.url };
  const file = join(dir, `${m.name}.env`);
  writeMerchantEnv(file, { token: m.token, admin: ADMIN, name: m.name, panel: m.panel, panelKey: PANEL_KEY, kess: m.kess });
  const added = await merchantCli(loadConfig(env, { databaseOnly: true }), env, ["add", m.name, "--env-file", file]);
  expect(added.code, added.stdout).toBe(0);
  const id = (await createMerchantStore(app.database).find(m.name))!.id;
  await eventually(async () => app.merchants.get(id) !== undefined, `${m.name} served`);
  return id;
}

/** A top-up of 5.00 USD by `chatId` at merchant `merchantId`, paid at KESS (recorded by the main thread's webhook); its reference. */
async function paidTopUp(app: Application<ProcessConfig>, kess: KessSimulator, merchantId: number, chatId: number, login: string): Promise<string> {
  const telegramId = BigInt(chatId);
  const user = await app.database.db.user.upsert({
    where: { merchantId_telegramId: { merchantId, telegramId } }, create: { merchantId, telegramId, panelLogin: login, language: "en" }, update: { panelLogin: login },
  });
  const started = await app.merchants.get(merchantId)!.topUps.start({ userId: user.id, chatId: telegramId, amountMinor: 500, provider: "kess" });
  if (!started.ok) throw new Error(`top-up not started: ${started.reason}`);
  await kess.pay({ reference: started.topUp.reference });
  return started.topUp.reference;
}

const parsed = (lines: readonly string[]) => lines.map((l) => JSON.parse(l) as Line);

describe("a platform on SQLite credits and receipts on the crediting thread", () => {
  let telegram: FakeTelegram;
  let kess: KessSimulator;
  let panel: PanelSimulator;
  let botB: BotDriver;
  let app: Application<ProcessConfig>;
  let lines: string[];
  let cliEnv: Record<string, string>;
  let dir: string;
  let merchantB: number;
  const TOKEN_B = fakeBotToken(7_300_000_001, "THREAD-B-bot-token");
  const TOKEN_C = fakeBotToken(7_300_000_002, "THREAD-C-bot-token");

  beforeAll(async () => {
    telegram = await createFakeTelegram();
    kess = await startKessSimulator();
    panel = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { bopha: 0, chenda: 0 }, currency: "USD" });
    botB = telegram.bot(TOKEN_B, { username: "thread_b_bot", first_name: "Shop B" });
    telegram.bot(TOKEN_C, { username: "thread_c_bot", first_name: "Shop C" });
    botB.addUser({ id: CUSTOMER, first_name: "Bopha", language_code: "en" });
    botB.addUser({ id: ADMIN, first_name: "Vanna", language_code: "en" });
    dir = mkdtempSync(join(tmpdir(), "khqr-h24-platform-thread-"));
    ({ app, lines, cliEnv } = await startPlatform(dir, telegram.url));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await kess?.close();
    await panel?.close();
    await telegram?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("credits and receipts a merchant added while running, on the thread", async () => {
    merchantB = await addMerchant(app, cliEnv, telegram, dir, { name: "shop-b", token: TOKEN_B, panel, kess });
    // Telegram lets a bot write only to users who started it.
    const welcome = botB.waitFor(CUSTOMER, (m) => (m.text ?? "").includes("Hello"), 15_000);
    botB.sendText(CUSTOMER, "/start");
    await welcome;

    const reference = await paidTopUp(app, kess, merchantB, CUSTOMER, "bopha");
    const receipt = await botB.waitFor(CUSTOMER, (m) => (m.text ?? "").includes(reference), 30_000);
    expect(receipt.text).toContain("Top-up successful");
    expect(panel.payments.map((p) => [p.login, p.memo.includes(reference)])).toEqual([["bopha", true]]);
    const applied = parsed(lines).filter((l) => l.msg === "credit applied");
    expect(applied).toEqual([expect.objectContaining({ thread: "crediting", memo: expect.stringContaining(reference) })]);
  }, 90_000);

  it("goes on crediting a disabled merchant's paid top-up; once removed, the thread credits nothing more of it", async () => {
    const env = { ...cliEnv, TELEGRAM_API_ROOT: telegram.url };
    const cli = (args: string[]) => merchantCli(loadConfig(env, { databaseOnly: true }), env, args);
    expect((await cli(["disable", "shop-b"])).code).toBe(0);
    await eventually(async () => app.merchants.get(merchantB)?.state === "disabled", "shop-b disabled");
    const reference = await paidTopUp(app, kess, merchantB, CUSTOMER, "bopha");
    await botB.waitFor(CUSTOMER, (m) => (m.text ?? "").includes(reference), 30_000);
    expect(parsed(lines).filter((l) => l.msg === "credit applied" && l.thread === "crediting" && l.memo?.includes(reference))).toHaveLength(1);

    const removed = await cli(["remove", "shop-b"]);
    expect(removed.code, removed.stdout).toBe(0);
    await eventually(async () => app.merchants.get(merchantB) === undefined, "shop-b no longer served");
    // C, added after B's removal, is served by the thread; a credit queued for B at the same moment as C's stays queued.
    const merchantC = await addMerchant(app, cliEnv, telegram, dir, { name: "shop-c", token: TOKEN_C, panel, kess });
    const queued = (merchantId: number, login: string) => ({
      merchantId, panelLogin: login, amountMinor: 100, currency: "USD", memo: `KHQR h24-thread-${merchantId}`, kind: CreditKind.MANUAL,
      status: CreditStatus.QUEUED, nextAttemptAt: new Date(), createdAt: new Date(),
    });
    const paymentsBefore = panel.payments.length;
    await app.database.db.credit.createMany({ data: [queued(merchantB, "bopha"), queued(merchantC, "chenda")] });
    await eventually(async () => (await app.database.db.credit.findFirst({ where: { merchantId: merchantC } }))?.status === CreditStatus.DONE, "C's credit applied");
    // A few more sweeps: B's credit is never claimed.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await app.database.db.credit.findFirst({ where: { merchantId: merchantB, kind: CreditKind.MANUAL } }))?.status).toBe(CreditStatus.QUEUED);
    expect(panel.payments.slice(paymentsBefore).map((p) => p.login)).toEqual(["chenda"]);
  }, 90_000);
});

describe("the crediting thread masks a platform merchant's secrets in its own log lines", () => {
  let telegram: FakeTelegram;
  let echoing: { url: string; close(): Promise<void> };
  let kess: KessSimulator;
  let panel: PanelSimulator;
  let app: Application<ProcessConfig>;
  let dir: string;
  const TOKEN_D = fakeBotToken(7_300_000_003, "THREAD-D-bot-token");

  afterAll(async () => {
    for (const step of [() => app?.stop(), () => kess?.close(), () => panel?.close(), () => echoing?.close(), () => telegram?.close()]) await Promise.resolve().then(step).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("a receipt refused with an answer quoting the bot's token is logged by the thread with the token masked", async () => {
    telegram = await createFakeTelegram();
    telegram.bot(TOKEN_D, { username: "thread_d_bot", first_name: "Shop D" });
    // The platform's Telegram answers every call with an error quoting the request, token and all.
    echoing = await serveApp(new Hono().all("*", (c) => c.json({ ok: false, error_code: 400, description: `Bad Request: cannot serve ${c.req.url}` }, 400)));
    kess = await startKessSimulator();
    panel = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { dara: 0 }, currency: "USD" });
    dir = mkdtempSync(join(tmpdir(), "khqr-h24-platform-thread-secrets-"));
    const started = await startPlatform(dir, echoing.url);
    app = started.app;
    const merchantD = await addMerchant(app, started.cliEnv, telegram, dir, { name: "shop-d", token: TOKEN_D, panel, kess });

    const reference = await paidTopUp(app, kess, merchantD, CUSTOMER, "dara");
    const threadLines = () => started.lines.filter((l) => (JSON.parse(l) as Line).thread === "crediting");
    await eventually(async () => threadLines().some((l) => l.includes("notification not delivered") && l.includes("cannot serve")), "the thread logs the refused receipt");
    expect(parsed(started.lines).some((l) => l.msg === "credit applied" && l.thread === "crediting" && l.memo?.includes(reference))).toBe(true);

    const stored = await createMerchantStore(app.database).secrets(merchantD, readMasterKey({ MASTER_KEY }));
    const secrets = secretValuesOf(stored);
    expect(secrets).toContain(TOKEN_D);
    const logged = threadLines().join("");
    expect(logged).toContain("[REDACTED]");
    for (const secret of secrets) expect(logged, "a secret of shop-d in the thread's log").not.toContain(secret);
  }, 90_000);
});
