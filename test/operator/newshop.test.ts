import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProcessConfig, type ProcessConfig } from "../../src/config/config.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { MERCHANT_PAUSED_ACTION, MERCHANT_RESUMED_ACTION } from "../../src/operator/features/my-shop.js";
import { readOperatorBot } from "../../src/platform/operator-settings.js";
import { readPlatformSettings } from "../../src/platform/platform-settings.js";
import { MERCHANT_VERIFIED_ACTION, TEST_PAYMENT_START } from "../../src/platform/test-payments.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { createFakeTelegram, type BotDriver, type ChatMessage, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { buttons, nextMessage, textOf } from "../bot/harness.js";
import { fakeBotToken } from "../support/bot-token.js";
import { eventually, silentLog } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { freePort } from "../support/platform.js";

/*
 * Issue 23: a panel owner opens a shop by chat with the platform's bot (/newshop), every secret message deleted;
 * an operator approves it with a button; the platform then serves the new shop. The owner runs it with /myshop,
 * /pause and /resume; nobody else can, and no one but an operator approves.
 */
const TIMINGS: Partial<Timings> = { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300 };
const MASTER_KEY = randomBytes(32).toString("base64");
const PLATFORM_TOKEN = fakeBotToken(7_300_000_009, "PLATFORM-operators-bot");
const SHOP_TOKEN = fakeBotToken(7_300_000_001, "NEW-SHOP-bot-token");
const SHOP_KM_TOKEN = fakeBotToken(7_300_000_002, "NEW-SHOP-KM-bot-token");
const PANEL_KEY = "new-shop-panel-api-key-91c2";
const OPERATOR = 730_000_010;
const OPERATOR_2 = 730_000_011;
const MERCHANT = 730_000_020;
const MERCHANT_KM = 730_000_021;
const STRANGER = 730_000_030;
const CUSTOMER = 730_000_040;

function reply(bot: BotDriver, chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs = 20_000): Promise<ChatMessage> {
  const waiting = nextMessage(bot, chatId, match, timeoutMs);
  action();
  return waiting;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.runIf(dialect === "sqlite" || postgresAvailable)(`onboarding by chat in the operators' bot (${dialect})`, () => {
    let telegram: FakeTelegram;
    let kess: KessSimulator;
    let panel: PanelSimulator;
    let ops: BotDriver;
    let shop: BotDriver;
    let app: Application<ProcessConfig>;
    let dir: string;
    let pg: { url: string; dropDatabase(): Promise<void> } | undefined;
    let publicUrl: string;

    beforeAll(async () => {
      telegram = await createFakeTelegram();
      kess = await startKessSimulator();
      panel = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { dara: 0 }, currency: "USD" });
      ops = telegram.bot(PLATFORM_TOKEN, { username: "platform_ops_bot", first_name: "Platform" });
      ops.addUser({ id: OPERATOR, first_name: "Operator", language_code: "en" });
      ops.addUser({ id: OPERATOR_2, first_name: "Operator 2", language_code: "en" });
      ops.addUser({ id: MERCHANT, first_name: "Sokha", language_code: "en" });
      ops.addUser({ id: MERCHANT_KM, first_name: "Dara", language_code: "km" });
      ops.addUser({ id: STRANGER, first_name: "Stranger", language_code: "en" });
      shop = telegram.bot(SHOP_TOKEN, { username: "Sokha_Shop_bot", first_name: "Sokha Shop" });
      shop.addUser({ id: CUSTOMER, first_name: "Customer", language_code: "en" });
      telegram.bot(SHOP_KM_TOKEN, { username: "dara_shop_bot", first_name: "Dara Shop" });
      dir = mkdtempSync(join(tmpdir(), "khqr-newshop-"));
      if (dialect === "postgres") pg = await createPostgresDatabase();
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      const processEnv = {
        DATABASE_URL: pg?.url ?? `file:${join(dir, "platform.db")}`, BOT_MODE: "webhook", PUBLIC_URL: publicUrl, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port),
        LOG_LEVEL: "silent", MASTER_KEY, TELEGRAM_API_ROOT: telegram.url, PLATFORM_BOT_TOKEN: PLATFORM_TOKEN, PLATFORM_ADMIN_IDS: `${OPERATOR},${OPERATOR_2}`,
      };
      const settings = readPlatformSettings(processEnv);
      const operatorBot = readOperatorBot(processEnv, settings)!;
      app = await startApplication(loadProcessConfig(processEnv), { log: silentLog, timings: TIMINGS, platform: { masterKey: settings.masterKey, processEnv, operatorBot } });
      await eventually(async () => ops.webhookInfo().url === `${publicUrl}/platform/telegram`, "the operators' bot's webhook");
    }, 60_000);

    afterAll(async () => {
      await app?.stop();
      await kess?.close();
      await panel?.close();
      await telegram?.close();
      await pg?.dropDatabase();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const say = (who: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, who, () => ops.sendText(who, text), match);
    const press = (who: number, message: ChatMessage, data: string, match: Parameters<typeof nextMessage>[2], chatId = who) =>
      reply(ops, chatId, () => ops.clickButton(who, message.message_id, data, { chatId }), match);
    /** Sends a secret; the reply that follows its deletion notice; and asserts the message is gone from the chat. */
    async function saySecret(who: number, text: string, match: Parameters<typeof nextMessage>[2]): Promise<ChatMessage> {
      let sent = 0;
      const answer = await reply(ops, who, () => { sent = ops.sendText(who, text).message!.message_id; }, match);
      expect(ops.history(who).find((m) => m.message_id === sent)?.deleted, `secret message ${sent} deleted`).toBe(true);
      return answer;
    }
    const kessLines = () => {
      const c = kess.config();
      return [c.clientId, c.clientSecret, c.username, c.password, c.sellerCode, c.apiSecret, c.signType, `KESS_BASE_URL=${kess.url}`].join("\n");
    };

    it("a merchant walks /newshop; an operator approves; the platform serves the new shop", async () => {
      // Telegram lets a bot write only to whoever opened it: the operator has.
      for (const operator of [OPERATOR, OPERATOR_2]) await say(operator, "/start", "Commands");
      await say(MERCHANT, "/newshop", "Step 1");
      const type = await saySecret(MERCHANT, SHOP_TOKEN, "Step 2");
      expect(ops.messagesIn(MERCHANT).map(textOf).join("\n")).toContain("Found your bot @Sokha_Shop_bot");
      for (const data of buttons(type).map((b) => b.callback_data!)) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      await press(MERCHANT, type, "ob:panel_type:perfectpanel", "Step 3");
      await say(MERCHANT, panel.url, "Step 4");
      // A refused answer: said in one sentence, deleted all the same, and the step asked again.
      await saySecret(MERCHANT, "not-the-panel-key-0000", "Step 4");
      expect(ops.messagesIn(MERCHANT).map(textOf)).toContain("❌ Your panel refuses this key. In the panel's admin area create an API key allowed to read users and add payments, copy it exactly and paste it here.");
      await saySecret(MERCHANT, PANEL_KEY, "Step 5");
      const providers = await say(MERCHANT, "-", "Step 6");
      await press(MERCHANT, providers, "ob:providers:kess", "Step 7");
      await saySecret(MERCHANT, kessLines(), "Step 8");
      await say(MERCHANT, "-", "Step 9");
      const summary = await say(MERCHANT, "Sokha SMM", "Please check your shop");
      expect(textOf(summary)).not.toContain(PANEL_KEY);

      const asked = nextMessage(ops, OPERATOR, "awaits approval", 20_000);
      const asked2 = nextMessage(ops, OPERATOR_2, "awaits approval", 20_000);
      const submitted = await press(MERCHANT, summary, "ob:confirm:submit", "is submitted");
      expect(textOf(submitted)).toContain(`${publicUrl}/webhooks/kess/`);
      const request = await asked;
      expect(textOf(request)).toContain('Shop "sokha_shop_bot" awaits approval');
      expect(textOf(request)).toContain("Providers: kess");
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).state).toBe("pending");

      // Only an operator approves: the merchant pressing the operator's button changes nothing.
      reply(ops, OPERATOR, () => ops.clickButton(MERCHANT, request.message_id, "ap:en:sokha_shop_bot", { chatId: OPERATOR }), () => false, 500).catch(() => undefined);
      await eventually(async () => ops.callbackAnswers(MERCHANT).some((a) => a.text === "Only the platform's operators can do this."), "the refusal");
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).state).toBe("pending");

      const told = nextMessage(ops, MERCHANT, "approved and live", 20_000);
      await press(OPERATOR, request, "ap:en:sokha_shop_bot", 'Shop "sokha_shop_bot" is approved');
      const approvedMessage = await told;
      const approved = textOf(approvedMessage);
      expect(approved).toContain("@Sokha_Shop_bot");
      expect(approved).toContain(`${publicUrl}/webhooks/kess/`);
      // The next step comes with the news: the test payment, what to do, and the button that opens the shop's bot on it.
      expect(approved).toContain("make a test payment of 0.01 USD from this Telegram account through your own bot @Sokha_Shop_bot");
      expect(approved).toContain(`asks for your own panel username (your user on ${panel.url})`);
      expect(buttons(approvedMessage)).toEqual([{ text: "🧪 Make a test payment", url: `https://t.me/Sokha_Shop_bot?start=${TEST_PAYMENT_START}` }]);
      const audit = await app.database.db.auditLog.findMany({ where: { action: "merchant_approved" } });
      expect(audit.map((a) => a.actorId)).toEqual([BigInt(OPERATOR)]);
      expect(textOf(await press(OPERATOR, request, "ap:en:sokha_shop_bot", "already approved"))).toContain("sokha_shop_bot");
      expect(textOf(await press(OPERATOR_2, await asked2, "ap:en:sokha_shop_bot", "already approved"))).toContain("sokha_shop_bot");
      expect(await app.database.db.auditLog.count({ where: { action: "merchant_approved" } })).toBe(1);

      await eventually(async () => (shop.webhookInfo().url ?? "").startsWith(`${publicUrl}/telegram/`), "the shop's webhook");
      await eventually(async () => app.merchants.all().length === 1, "the new shop served");
      expect(textOf(await reply(shop, CUSTOMER, () => shop.sendText(CUSTOMER, "/start"), "Hello"))).toContain("Hello");

      const secrets = [SHOP_TOKEN, PANEL_KEY, kess.config().clientSecret, kess.config().password, kess.config().apiSecret];
      // Nothing left in either chat carries a secret: the bot's messages, and the merchant's that are not deleted.
      const shown = [...ops.history(MERCHANT), ...ops.history(OPERATOR), ...ops.history(OPERATOR_2)].filter((m) => !m.deleted).map(textOf).join("\n");
      for (const secret of secrets) expect(shown).not.toContain(secret);
    }, 120_000);

    it("/myshop, /pause and /resume act on the owner's own shop only", async () => {
      const offered = nextMessage(ops, MERCHANT, "To verify your shop");
      const mine = textOf(await say(MERCHANT, "/myshop", "Your shop"));
      expect(mine).toContain('Your shop "sokha_shop_bot": active');
      expect(mine).toContain("⚠️ Not yet verified: no test payment has succeeded yet.");
      expect(mine).toContain("• sokha_shop_bot (active · not yet verified, @Sokha_Shop_bot): 0 opened");
      expect(buttons(await offered)).toEqual([{ text: "🧪 Make a test payment", url: `https://t.me/Sokha_Shop_bot?start=${TEST_PAYMENT_START}` }]);
      expect(mine).toMatch(/✓ Telegram/);
      expect(mine).toContain("✓ Panel: PANEL_API_KEY accepted");
      expect(mine).not.toMatch(/^. PUBLIC_URL:/m);

      expect(textOf(await say(MERCHANT, "/pause", "paused"))).toContain('Shop "sokha_shop_bot" is paused');
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).state).toBe("disabled");
      expect(textOf(await say(MERCHANT, "/resume", "open again"))).toContain("sokha_shop_bot");
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).state).toBe("active");
      const audit = await app.database.db.auditLog.findMany({ where: { action: { in: [MERCHANT_PAUSED_ACTION, MERCHANT_RESUMED_ACTION] } }, orderBy: { id: "asc" } });
      expect(audit.map((a) => [a.action, a.actorId])).toEqual([[MERCHANT_PAUSED_ACTION, BigInt(MERCHANT)], [MERCHANT_RESUMED_ACTION, BigInt(MERCHANT)]]);

      for (const command of ["/myshop", "/pause", "/resume", "/pause sokha_shop_bot"]) {
        expect(textOf(await say(STRANGER, command, "no shop"))).toBe("You have no shop on this platform. Send /newshop to open one.");
      }
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).state).toBe("active");
      expect(textOf(await say(STRANGER, "/platform", "/newshop"))).toContain("/newshop to open a shop");
    }, 90_000);

    it("the merchant's own test payment, through their own bot, verifies the shop once", async () => {
      const start = `/start ${TEST_PAYMENT_START}`;
      const shopSays = (who: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(shop, who, () => shop.sendText(who, text), match);
      shop.addUser({ id: MERCHANT, first_name: "Sokha", language_code: "en" });
      shop.addUser({ id: STRANGER, first_name: "Stranger", language_code: "en" });
      expect(textOf(await say(OPERATOR, "/platform", "Shops"))).toContain("• sokha_shop_bot (active · not yet verified, @Sokha_Shop_bot)");

      // Only the shop's admins: a customer's test link opens no top-up.
      expect(textOf(await shopSays(STRANGER, start, "admins"))).toBe("Only this shop's admins can make its test payment.");
      expect(await app.database.db.testPayment.count()).toBe(0);

      // Not linked yet: the bot asks for the merchant's own panel user, then goes on to the test payment.
      const asked = shopSays(MERCHANT, start, "username (login)");
      expect(textOf(await asked)).toBe("Please send me your username (login) on the panel.");
      expect(shop.messagesIn(MERCHANT).map(textOf)).toContain("🧪 Test payment of 0.01 USD: it is credited to your own panel user. Send me its username (as you log in on the panel); the KHQR code follows.");
      const card = await shopSays(MERCHANT, "dara", (m) => m.photo !== undefined);
      expect(shop.messagesIn(MERCHANT).map(textOf)).toContain("🧪 Test payment: 0.01 USD to your panel user dara (allowed below the shop's minimum for this test only). Pay it with your banking app: the receipt and each step's time follow here.");
      const topUp = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(MERCHANT), messageId: card.message_id } }), "the card's top-up");
      expect(topUp).toMatchObject({ amountMinor: 1, currency: "USD", panelLogin: "dara" });
      const marked = await eventually(async () => {
        const row = await app.database.db.testPayment.findUnique({ where: { topUpId: topUp.id } });
        return row?.shownAt ? row : undefined;
      }, "the card shown");
      expect(marked.shownAt!.getTime()).toBeGreaterThanOrEqual(marked.requestedAt.getTime());

      // One open top-up at a time, a test one too.
      expect(textOf(await shopSays(MERCHANT, start, "already have a top-up waiting"))).toContain(topUp.reference);
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).verifiedAt).toBeNull();

      const summary = nextMessage(shop, MERCHANT, "each step's time", 30_000);
      await reply(shop, MERCHANT, () => void kess.pay({ reference: topUp.reference }), "Top-up successful", 30_000);
      const steps = textOf(await summary);
      expect(steps).toMatch(new RegExp(String.raw`Test payment ${topUp.reference}, each step's time:\n• KHQR shown: [\d.]+ m?s after you asked\n• paid and recorded .*: [\d.]+ m?s later, your time to pay\n• credited on the panel: [\d.]+ m?s later\n• receipt sent: [\d.]+ m?s later\nSystem time, your paying left out: [\d.]+ m?s`));
      expect(steps).toContain("✅ Your shop is verified");
      expect(panel.balanceOf("dara")).toBe(1);
      const merchant = await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } });
      expect(merchant.verifiedTopUpId).toBe(topUp.id);
      expect(merchant.verifiedAt).not.toBeNull();
      const audit = await app.database.db.auditLog.findMany({ where: { action: MERCHANT_VERIFIED_ACTION } });
      expect(audit.map((a) => [a.actorId, a.subject, a.merchantId])).toEqual([[BigInt(MERCHANT), "merchant:sokha_shop_bot", merchant.id]]);
      expect(JSON.parse(audit[0]!.details)).toMatchObject({ topUpId: topUp.id, reference: topUp.reference });

      const verified = textOf(await say(MERCHANT, "/myshop", "Your shop"));
      expect(verified).toContain(`✅ Verified: test payment ${topUp.reference} credited`);
      expect(verified).toContain("• sokha_shop_bot (active, @Sokha_Shop_bot)");
      expect(textOf(await say(OPERATOR, "/platform", "Shops"))).toContain("• sokha_shop_bot (active, @Sokha_Shop_bot)");

      // The shop's minimum (1.00 USD) still binds every other top-up.
      await shopSays(MERCHANT, "/topup", "How much");
      expect(textOf(await shopSays(MERCHANT, "0.01", "smallest top-up"))).toBe("The smallest top-up is 1.00 USD. Please type a larger amount.");
      await shopSays(MERCHANT, "/cancel", /./);

      // Another test payment (now linked: straight to the card) gets its summary; the verification stays the first one's.
      const again = await shopSays(MERCHANT, start, (m) => m.photo !== undefined);
      const second = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(MERCHANT), messageId: again.message_id } }), "the second card's top-up");
      const summary2 = nextMessage(shop, MERCHANT, "each step's time", 30_000);
      void kess.pay({ reference: second.reference });
      expect(textOf(await summary2)).toContain(second.reference);
      expect(panel.balanceOf("dara")).toBe(2);
      expect((await app.database.db.merchant.findUniqueOrThrow({ where: { name: "sokha_shop_bot" } })).verifiedTopUpId).toBe(topUp.id);
      expect(await app.database.db.auditLog.count({ where: { action: MERCHANT_VERIFIED_ACTION } })).toBe(1);
    }, 120_000);

    it("speaks Khmer to a Khmer merchant; /cancel drops the draft", async () => {
      expect(textOf(await say(MERCHANT_KM, "/newshop", "បូត"))).toContain("@BotFather");
      await saySecret(MERCHANT_KM, SHOP_KM_TOKEN, "@dara_shop_bot");
      expect(textOf(await say(MERCHANT_KM, "/cancel", "បោះបង់"))).toContain("/newshop");
      expect(textOf(await say(MERCHANT_KM, "anything", "/newshop"))).toContain("/newshop");
      expect(await app.database.db.merchant.count({ where: { name: "dara_shop_bot" } })).toBe(0);
    }, 60_000);
  });
}
