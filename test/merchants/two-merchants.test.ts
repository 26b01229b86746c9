import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import type { RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { SANDBOX_ADMIN, SANDBOX_ADMIN_CHAT, SANDBOX_CUSTOMER, startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import type { BotDriver, ChatMessage } from "../../sandbox/telegram/index.js";
import { nextMessage, textOf } from "../bot/harness.js";
import { eventually, silentLog } from "../support/core.js";
import { fakeBotToken } from "../support/bot-token.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { freePort, merchantCli, writeMerchantEnv } from "../support/platform.js";
import { topUpThrough } from "../support/top-up.js";

/*
 * Issue 22: one process serves the environment's shop (A: its .env, /telegram and /webhooks/<provider>) and a
 * platform merchant added with the operator CLI while it runs (B: its own bot, KESS and panel, reached at
 * /telegram/<key> and /webhooks/kess/<key>). Each shop's customers top up through their own bot and are credited
 * exactly once on their own panel; neither shop sees the other.
 */
// Bots let go after a second unused: dropped and rebuilt between the steps of these tests, not only in the one about it.
const TIMINGS: Partial<Timings> = { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300, botIdleMs: 1_000 };
const MASTER_KEY = randomBytes(32).toString("base64");
const TOKEN_B = fakeBotToken(7_100_000_001, "SHOP-B-bot-token");
const ADMIN_B = 710_000_002;
const CUSTOMER_B = 710_000_001;
const PANEL_KEY_B = "shop-b-panel-api-key";

/** Starts waiting for the bot's next matching message in the chat, then acts. */
function reply(bot: BotDriver, chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs = 15_000): Promise<ChatMessage> {
  const waiting = nextMessage(bot, chatId, match, timeoutMs);
  action();
  return waiting;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.runIf(dialect === "sqlite" || postgresAvailable)(`two merchants on one platform (${dialect})`, () => {
    let sandbox: Sandbox;
    let kessB: KessSimulator;
    let panelB: PanelSimulator;
    let botB: BotDriver;
    let app: Application;
    let dir: string;
    let pg: { url: string; dropDatabase(): Promise<void> } | undefined;
    let cliEnv: Record<string, string>;
    const cli = (args: string[]) => merchantCli(app.config, cliEnv, args);
    let routeKey: string;
    let publicUrl: string;

    beforeAll(async () => {
      sandbox = await startSandbox({ providers: ["raksmeypay"] });
      kessB = await startKessSimulator();
      panelB = await startPerfectPanelSimulator({ apiKey: PANEL_KEY_B, users: { bopha_b: 0 }, currency: "USD" });
      botB = sandbox.telegram.bot(TOKEN_B, { username: "shop_b_bot", first_name: "Shop B" });
      botB.addUser({ id: CUSTOMER_B, first_name: "Bopha", language_code: "en" });
      botB.addUser({ id: ADMIN_B, first_name: "Vanna", language_code: "en" });
      // Shop A's customer and admin are Telegram users that may also write to shop B's bot.
      botB.addUser(SANDBOX_CUSTOMER);
      botB.addUser(SANDBOX_ADMIN);
      dir = mkdtempSync(join(tmpdir(), "khqr-platform-"));
      if (dialect === "postgres") pg = await createPostgresDatabase();
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      const processEnv = {
        ...sandbox.env,
        ...(pg ? { DATABASE_URL: pg.url } : {}),
        BOT_MODE: "webhook", PUBLIC_URL: publicUrl, TELEGRAM_WEBHOOK_SECRET: "shop-a-webhook-secret",
        HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), LOG_LEVEL: "silent", MASTER_KEY,
      };
      app = await startApplication(loadConfig(processEnv), { log: silentLog, timings: TIMINGS, platform: { masterKey: readMasterKey(processEnv), processEnv } });
      sandbox.connect(app.url);
      cliEnv = {
        DATABASE_URL: processEnv.DATABASE_URL!, MASTER_KEY, PUBLIC_URL: publicUrl, TELEGRAM_API_ROOT: sandbox.env.TELEGRAM_API_ROOT!,
      };
    }, 60_000);

    afterAll(async () => {
      await app?.stop();
      await kessB?.close();
      await panelB?.close();
      await sandbox?.close();
      await pg?.dropDatabase();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it("serves a merchant added with the CLI while running, at its own addresses; unknown keys are 404", async () => {
      const envFile = join(dir, "shop-b.env");
      writeMerchantEnv(envFile, { token: TOKEN_B, admin: ADMIN_B, name: "Shop B", panel: panelB, panelKey: PANEL_KEY_B, kess: kessB });
      const added = await cli(["add", "shop-b", "--env-file", envFile]);
      expect(added.code, added.stdout).toBe(0);
      const listed = await cli(["list", "--json"]);
      const shopB = (JSON.parse(listed.stdout) as { name: string; webhooks: Record<string, string> }[]).find((m) => m.name === "shop-b")!;
      routeKey = new URL(shopB.webhooks.telegram!).pathname.split("/")[2]!;
      expect(shopB.webhooks.kess).toBe(`${publicUrl}/webhooks/kess/${routeKey}`);
      expect(botB.webhookInfo().url).toBe(`${publicUrl}/telegram/${routeKey}`);

      // Picked up by the running platform (the watcher looks every second): its address then checks B's secret_token.
      const post = (path: string) => fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      await eventually(async () => (await post(`/telegram/${routeKey}`)).status === 401, "merchant B served");
      expect(app.merchants.all().map((m) => m.id)).toHaveLength(2);

      for (const path of ["/telegram/not-a-key", `/telegram/${routeKey}x`, "/webhooks/kess/not-a-key", "/webhooks/raksmeypay/not-a-key", "/webhooks/payway/not-a-key/some-token"]) {
        expect((await post(path)).status, path).toBe(404);
      }
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).not.toContain(routeKey);
      expect(metrics).not.toContain("not-a-key");
    }, 60_000);

    it("credits each shop's customer once, on its own panel, through its own bot and webhook addresses", async () => {
      const botA = sandbox.bot;
      const raksmeypay = sandbox.providers.get("raksmeypay") as RaksmeyPaySimulator;
      const balanceA = sandbox.panel.balanceOf("dara")!;
      // Telegram lets a bot write only to users who started it.
      await reply(botB, ADMIN_B, () => botB.sendText(ADMIN_B, "/start"), "Hello");

      const topUpA = await topUpThrough(botA, SANDBOX_CUSTOMER.id, "dara", "raksmeypay", app.database);
      const topUpB = await topUpThrough(botB, CUSTOMER_B, "bopha_b", "kess", app.database);
      expect(topUpA.merchantId).toBe(1);
      expect(topUpB.merchantId).not.toBe(1);
      expect(topUpB.provider).toBe("kess");

      // A's provider posts to /webhooks/raksmeypay; B's KESS to the notify_url its order carried, /webhooks/kess/<key>.
      const receiptA = reply(botA, SANDBOX_CUSTOMER.id, () => void raksmeypay.pay({ reference: topUpA.reference, qr: topUpA.qr }), "Top-up successful", 30_000);
      const receiptB = reply(botB, CUSTOMER_B, () => void kessB.pay({ reference: topUpB.reference }), "Top-up successful", 30_000);
      expect(textOf(await receiptA)).toContain("Credited to dara: 5.00 USD");
      expect(textOf(await receiptB)).toContain("Credited to bopha_b: 5.00 USD");

      await eventually(async () => (await app.database.db.credit.count({ where: { status: "DONE" } })) === 2, "both credits done");
      expect(sandbox.panel.payments.map((p) => p.login)).toEqual(["dara"]);
      expect(panelB.payments.map((p) => p.login)).toEqual(["bopha_b"]);
      expect(sandbox.panel.balanceOf("dara")).toBe(balanceA + 500);
      expect(panelB.balanceOf("bopha_b")).toBe(500);
      expect(panelB.payments[0]!.memo).toContain(topUpB.reference);

      // Admin notes: A's to its admin chat through bot A; B's to its admin through bot B; none crosses.
      await eventually(async () => botB.messagesIn(ADMIN_B).some((m) => textOf(m).includes(topUpB.reference)), "B's admin told of B's payment");
      await eventually(async () => botA.messagesIn(SANDBOX_ADMIN_CHAT).some((m) => textOf(m).includes(topUpA.reference)), "A's admins told of A's payment");
      expect(botA.messagesIn(SANDBOX_ADMIN_CHAT).some((m) => textOf(m).includes(topUpB.reference))).toBe(false);
      expect(botB.messagesIn(ADMIN_B).some((m) => textOf(m).includes(topUpA.reference))).toBe(false);
    }, 90_000);

    it("a customer of A is a new customer at B, and an admin of A is nobody there", async () => {
      const dara = SANDBOX_CUSTOMER.id;
      // Dara at B: greeted as a stranger (no linked account, none of A's history).
      const greeting = await reply(botB, dara, () => botB.sendText(dara, "/start"), "Hello");
      expect(textOf(greeting)).not.toContain("dara");
      const users = await app.database.db.user.findMany({ where: { telegramId: BigInt(dara) }, orderBy: { merchantId: "asc" } });
      expect(users.map((u) => [u.merchantId === 1, u.panelLogin])).toEqual([[true, "dara"], [false, null]]);
      expect(botB.messagesIn(dara).some((m) => textOf(m).includes("Top-up successful"))).toBe(false);

      // A's admin gets a report from A's bot, and from B's bot only what any customer gets.
      const adminA = SANDBOX_ADMIN.id;
      const reportA = await reply(sandbox.bot, adminA, () => sandbox.bot.sendText(adminA, "/report"), () => true);
      const asCustomer = await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "/report"), () => true);
      const asAdminA = await reply(botB, adminA, () => botB.sendText(adminA, "/report"), () => true);
      expect(textOf(asAdminA)).toBe(textOf(asCustomer));
      expect(textOf(reportA)).not.toBe(textOf(asCustomer));
      const asAdminB = await reply(botB, ADMIN_B, () => botB.sendText(ADMIN_B, "/report"), () => true);
      expect(textOf(asAdminB)).not.toBe(textOf(asCustomer));
    }, 60_000);

    it("a merchant disabled while running takes no updates, and its paid top-up is still credited", async () => {
      const botId = app.merchants.byRouteKey(routeKey)!.id;
      const open = await (async () => {
        const greeting = await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "/start"), "Hello");
        const amount = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, greeting.message_id, "menu:topup"), "How much");
        const card = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, amount.message_id, "c:amt:500"), (m) => m.photo !== undefined);
        return eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(CUSTOMER_B), messageId: card.message_id } }), "B's second top-up");
      })();

      expect((await cli(["disable", "shop-b"])).code).toBe(0);
      await eventually(async () => app.merchants.get(botId)?.state === "disabled", "merchant B disabled");

      const before = botB.messagesIn(CUSTOMER_B).length;
      botB.sendText(CUSTOMER_B, "/start");
      await botB.flush();
      expect(botB.messagesIn(CUSTOMER_B)).toHaveLength(before);
      expect(botB.webhookInfo().last_error_message ?? "").toBe("");

      // Money already taken is still recorded, credited on B's panel and receipted.
      const receipt = reply(botB, CUSTOMER_B, () => void kessB.pay({ reference: open.reference }), "Top-up successful", 30_000);
      expect(textOf(await receipt)).toContain(open.reference);
      expect(panelB.payments.map((p) => p.login)).toEqual(["bopha_b", "bopha_b"]);

      // Enabled and changed while running: rebuilt with its new settings, and takes updates again.
      const envFile = join(dir, "shop-b.env");
      writeMerchantEnv(envFile, { token: TOKEN_B, admin: ADMIN_B, name: "Shop B Renamed", panel: panelB, panelKey: PANEL_KEY_B, kess: kessB });
      expect((await cli(["enable", "shop-b"])).code).toBe(0);
      expect((await cli(["update", "shop-b", "--env-file", envFile])).code).toBe(0);
      await eventually(async () => app.merchants.get(botId)?.state === "active" && app.merchants.get(botId)?.config.topup.merchantName === "Shop B Renamed", "merchant B enabled and updated");
      await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "/start"), "Hello");
    }, 60_000);

    it("a merchant's bot let go after idling is rebuilt on its next update, and a conversation in progress goes on", async () => {
      const merchantB = () => app.merchants.byRouteKey(routeKey)!;
      const greeting = await reply(botB, CUSTOMER_B, () => botB.sendText(CUSTOMER_B, "/start"), "Hello");
      const amount = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, greeting.message_id, "menu:topup"), "How much");
      await eventually(async () => !merchantB().hasBot(), "B's bot let go");

      // The amount button is answered only inside the top-up conversation: its state came back from storage.
      const card = await reply(botB, CUSTOMER_B, () => botB.clickButton(CUSTOMER_B, amount.message_id, "c:amt:500"), (m) => m.photo !== undefined);
      const topUp = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(CUSTOMER_B), messageId: card.message_id } }), "the card's top-up");
      expect(topUp.merchantId).toBe(merchantB().id);
      // Shop A's bot (the environment's, its getMe not stored) is never let go.
      expect(app.merchants.get(1)!.hasBot()).toBe(true);
    }, 60_000);
  });
}
