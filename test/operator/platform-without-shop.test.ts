import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, loadProcessConfig, type ProcessConfig } from "../../src/config/config.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { createMerchantStore, secretValuesOf } from "../../src/platform/merchant-store.js";
import { operatorWebhookSecret, readOperatorBot } from "../../src/platform/operator-settings.js";
import { readPlatformSettings } from "../../src/platform/platform-settings.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { createFakeTelegram, type BotDriver, type ChatMessage, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { nextMessage, textOf } from "../bot/harness.js";
import { fakeBotToken } from "../support/bot-token.js";
import { eventually, silentLog } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { freePort, merchantCli, writeMerchantEnv } from "../support/platform.js";

/*
 * Issue 22: an operator runs a platform for others and has no shop of their own. The process starts with the
 * process-wide variables and MASTER_KEY only, serves the merchant the CLI adds, and answers the environment
 * shop's addresses 404. The operators' bot (PLATFORM_BOT_TOKEN) shows operators each shop's counts and sums, in
 * English or Khmer, and nobody else anything.
 */
const TIMINGS: Partial<Timings> = { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300 };
const MASTER_KEY = randomBytes(32).toString("base64");
const TOKEN_B = fakeBotToken(7_200_000_001, "SHOP-B-bot-token");
const PLATFORM_TOKEN = fakeBotToken(7_200_000_009, "PLATFORM-operators-bot");
const PANEL_KEY_B = "shop-b-panel-api-key-7f3a";
const CUSTOMER_B = 720_000_001;
const ADMIN_B = 720_000_002;
const OPERATOR = 720_000_010;
const OPERATOR_KM = 720_000_011;
const STRANGER = 720_000_012;

function reply(bot: BotDriver, chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs = 15_000): Promise<ChatMessage> {
  const waiting = nextMessage(bot, chatId, match, timeoutMs);
  action();
  return waiting;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.runIf(dialect === "sqlite" || postgresAvailable)(`a platform without a shop of its own (${dialect})`, () => {
    let telegram: FakeTelegram;
    let kess: KessSimulator;
    let panel: PanelSimulator;
    let botB: BotDriver;
    let ops: BotDriver;
    let app: Application<ProcessConfig>;
    let dir: string;
    let pg: { url: string; dropDatabase(): Promise<void> } | undefined;
    let cliEnv: Record<string, string>;
    let publicUrl: string;

    beforeAll(async () => {
      telegram = await createFakeTelegram();
      kess = await startKessSimulator();
      panel = await startPerfectPanelSimulator({ apiKey: PANEL_KEY_B, users: { bopha_b: 0 }, currency: "USD" });
      botB = telegram.bot(TOKEN_B, { username: "shop_b_bot", first_name: "Shop B" });
      for (const id of [CUSTOMER_B, ADMIN_B]) botB.addUser({ id, first_name: `User ${id}`, language_code: "en" });
      ops = telegram.bot(PLATFORM_TOKEN, { username: "platform_ops_bot", first_name: "Platform" });
      ops.addUser({ id: OPERATOR, first_name: "Operator", language_code: "en" });
      ops.addUser({ id: OPERATOR_KM, first_name: "Operator KM", language_code: "km" });
      ops.addUser({ id: STRANGER, first_name: "Stranger", language_code: "en" });
      ops.addUser({ id: ADMIN_B, first_name: "Vanna", language_code: "en" });
      dir = mkdtempSync(join(tmpdir(), "khqr-platform-only-"));
      if (dialect === "postgres") pg = await createPostgresDatabase();
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      // The process-wide variables only: no BOT_TOKEN, no provider, no panel.
      const processEnv = {
        DATABASE_URL: pg?.url ?? `file:${join(dir, "platform.db")}`, BOT_MODE: "webhook", PUBLIC_URL: publicUrl, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port),
        LOG_LEVEL: "silent", MASTER_KEY, TELEGRAM_API_ROOT: telegram.url, PLATFORM_BOT_TOKEN: PLATFORM_TOKEN, PLATFORM_ADMIN_IDS: `${OPERATOR},${OPERATOR_KM}`,
      };
      const settings = readPlatformSettings(processEnv);
      const operatorBot = readOperatorBot(processEnv, settings)!;
      app = await startApplication(loadProcessConfig(processEnv), { log: silentLog, timings: TIMINGS, platform: { masterKey: settings.masterKey, processEnv, operatorBot } });
      cliEnv = { DATABASE_URL: processEnv.DATABASE_URL, MASTER_KEY, PUBLIC_URL: publicUrl, TELEGRAM_API_ROOT: telegram.url };
    }, 60_000);

    afterAll(async () => {
      await app?.stop();
      await kess?.close();
      await panel?.close();
      await telegram?.close();
      await pg?.dropDatabase();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it("serves the merchant the CLI adds end to end; the environment shop's addresses are 404", async () => {
      expect(ops.webhookInfo().url).toBe(`${publicUrl}/platform/telegram`);
      const post = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
      for (const path of ["/telegram", "/webhooks/kess", "/webhooks/raksmeypay", "/webhooks/payway/some-token"]) expect((await post(path)).status, path).toBe(404);
      expect((await post("/platform/telegram")).status).toBe(401);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);

      // The operators' bot is nobody's shop: its webhook stays where it is.
      const opsFile = join(dir, "ops.env");
      writeMerchantEnv(opsFile, { token: PLATFORM_TOKEN, admin: ADMIN_B, name: "Ops", panel, panelKey: PANEL_KEY_B, kess });
      const refused = await merchantCli(loadConfig(cliEnv, { databaseOnly: true }), { ...cliEnv, PLATFORM_BOT_TOKEN: PLATFORM_TOKEN }, ["add", "ops", "--env-file", opsFile]);
      expect([refused.code, refused.stdout]).toEqual([1, "bot @platform_ops_bot is the operators' bot (PLATFORM_BOT_TOKEN): each merchant needs its own bot (@BotFather → /newbot)"]);
      expect(ops.webhookInfo().url).toBe(`${publicUrl}/platform/telegram`);

      const envFile = join(dir, "shop-b.env");
      writeMerchantEnv(envFile, { token: TOKEN_B, admin: ADMIN_B, name: "Shop B", panel, panelKey: PANEL_KEY_B, kess });
      const added = await merchantCli(loadConfig(cliEnv, { databaseOnly: true }), cliEnv, ["add", "shop-b", "--env-file", envFile]);
      expect(added.code, added.stdout).toBe(0);
      await eventually(async () => app.merchants.all().length === 1, "shop-b served");

      await reply(botB, ADMIN_B, () => botB.sendText(ADMIN_B, "/start"), "Hello");
      const greeting = await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "/start"), "Hello");
      await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, greeting.message_id, "menu:link"), "username (login)");
      const linked = await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "bopha_b"), "Linked to the panel account bopha_b");
      const amount = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, linked.message_id, "menu:topup"), "How much");
      const card = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, amount.message_id, "c:amt:500"), (m) => m.photo !== undefined);
      const topUp = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(CUSTOMER_B), messageId: card.message_id } }), "the card's top-up");
      const receipt = reply(botB, CUSTOMER_B, () => void kess.pay({ reference: topUp.reference }), "Top-up successful", 30_000);
      expect(textOf(await receipt)).toContain("Credited to bopha_b: 5.00 USD");
      expect(panel.payments.map((p) => p.login)).toEqual(["bopha_b"]);
      expect(topUp.merchantId).not.toBe(1);
    }, 90_000);

    it("/platform shows an operator each shop's figures, in their language, with no secret, customer or message", async () => {
      await eventually(async () => (await app.database.db.credit.count({ where: { status: "DONE" } })) === 1, "the credit done");
      const en = textOf(await reply(ops, OPERATOR, () => ops.sendText(OPERATOR, "/platform"), "Shops"));
      // shop-b's top-up was a customer's, not a test payment: not yet verified. The environment merchant is never onboarded.
      expect(en).toMatch(/• shop-b \(active · not yet verified, @shop_b_bot\): 1 opened · paid 1 \(5\.00 USD\) · 1 credited · 0 held · refunded 0 \(—\) · 0 credits pending · last payment \d{4}-\d\d-\d\d \d\d:\d\d/);
      expect(en).toContain("• default (active, no stored bot): 0 opened · paid 0 (—)");
      expect(en).toContain("Total, 2 shops: 1 opened · paid 1 (5.00 USD)");
      const km = textOf(await reply(ops, OPERATOR_KM, () => ops.sendText(OPERATOR_KM, "/platform 7d"), "ហាង"));
      expect(km).toContain("shop-b (សកម្ម · មិនទាន់ផ្ទៀងផ្ទាត់, @shop_b_bot)៖ បានបង្កើត 1");
      expect(textOf(await reply(ops, OPERATOR, () => ops.sendText(OPERATOR, "/platform last-year"), "Usage"))).toContain("/platform [today|");
      expect(textOf(await reply(ops, OPERATOR, () => ops.sendText(OPERATOR, "/start"), "Commands"))).toContain("/platform [today|");

      const store = createMerchantStore(app.database);
      const stored = await store.secrets((await store.find("shop-b"))!.id, readMasterKey({ MASTER_KEY }));
      const secrets = [...secretValuesOf(stored), MASTER_KEY, PLATFORM_TOKEN, operatorWebhookSecret(readMasterKey({ MASTER_KEY }))];
      expect(secrets.length).toBeGreaterThan(6);
      const shown = [...ops.messagesIn(OPERATOR), ...ops.messagesIn(OPERATOR_KM)].map(textOf).join("\n");
      for (const secret of secrets) expect(shown).not.toContain(secret);
      for (const private_ of [String(CUSTOMER_B), "bopha_b"]) expect(shown).not.toContain(private_);
    }, 60_000);

    it("anyone else, a shop's admin too, gets no figures: only how to open or run a shop", async () => {
      for (const who of [STRANGER, ADMIN_B]) {
        const answer = await reply(ops, who, () => ops.sendText(who, "/platform"), () => true);
        expect(textOf(answer)).toBe("This is the platform's bot: /newshop to open a shop; /myshop, /pause, /resume for your shop; /cancel stops a setup.");
        expect(ops.messagesIn(who).map(textOf).join("\n")).not.toContain("shop-b");
      }
    }, 30_000);
  });
}
