import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { MERCHANT_VERIFIED_ACTION } from "../../src/platform/test-payments.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { sandboxPage } from "../../sandbox/page/routes.js";
import {
  SANDBOX_CUSTOMER_B, SANDBOX_OPERATOR, SANDBOX_OWNER, platformOptions, startPlatformSandbox, type PlatformSandbox,
} from "../../sandbox/start-platform-sandbox.js";
import type { BotDriver, ChatMessage } from "../../sandbox/telegram/index.js";
import { buttons, nextMessage, textOf } from "../bot/harness.js";
import { eventually, silentLog } from "../support/core.js";
import { openBrowserPage } from "../support/chromium.js";
import { freePort } from "../support/platform.js";
import { topUpThrough } from "../support/top-up.js";

/*
 * Issue 23, the sandbox of a platform: a panel owner opens the second shop by chat with the platform's bot
 * (/newshop, every answer checked against the simulated SocPanel, KESS and Telegram), the operator approves it
 * with the button, and that shop's customer tops up through its own bot: credited exactly once, on its own panel.
 * Then the owner makes the shop's test payment from the approval's button, which verifies the shop.
 */
const TIMINGS: Partial<Timings> = { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300 };

function reply(bot: BotDriver, chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs = 20_000): Promise<ChatMessage> {
  const waiting = nextMessage(bot, chatId, match, timeoutMs);
  action();
  return waiting;
}

describe("the platform sandbox", () => {
  let sandbox: PlatformSandbox;
  let app: Application;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startPlatformSandbox(`http://127.0.0.1:${port}`);
    const config = loadConfig({ ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), LOG_LEVEL: "silent" }, { sandbox: true });
    app = await startApplication(config, {
      log: silentLog, timings: TIMINGS, platform: platformOptions(sandbox),
      mount: (hono) => sandboxPage(hono, sandbox, { openTopUps: () => app.database.db.topUp.findMany({ where: { status: "PENDING" } }) }),
    });
    sandbox.connect(app.url);
    await eventually(async () => sandbox.platformBot.webhookInfo().url === `${app.url}/platform/telegram`, "the platform bot's webhook");
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  }, 30_000);

  it("a panel owner opens a shop with /newshop, the operator approves it, its customer is credited once on its own panel", async () => {
    const ops = sandbox.platformBot;
    const { bot: shop, panel, kess, answers } = sandbox.newShop;
    const answer = (label: string) => answers.find((a) => a.label === label)!.text;
    const say = (text: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, SANDBOX_OWNER.id, () => ops.sendText(SANDBOX_OWNER.id, text), match);
    const press = (message: ChatMessage, data: string, match: Parameters<typeof nextMessage>[2]) =>
      reply(ops, SANDBOX_OWNER.id, () => ops.clickButton(SANDBOX_OWNER.id, message.message_id, data), match);

    await reply(ops, SANDBOX_OPERATOR.id, () => ops.sendText(SANDBOX_OPERATOR.id, "/start"), "Commands");
    await say("/newshop", "Step 1");
    const type = await say(answer("Bot token"), "Step 2");
    await press(type, "ob:panel_type:socpanel", "Step 3");
    await say(answer("Panel address"), "Step 4");
    const providers = await say(answer("Panel API key"), (m) => m.reply_markup !== undefined);
    await press(providers, "ob:providers:kess", "KESS");
    await say(answer("KESS credentials"), /Step \d/);
    await say(answer("Admin chat: none"), /Step \d/);
    const summary = await say(answer("Shop name"), "Please check your shop");

    const asked = nextMessage(ops, SANDBOX_OPERATOR.id, "awaits approval", 20_000);
    await press(summary, "ob:confirm:submit", "is submitted");
    const request = await asked;
    const live = nextMessage(ops, SANDBOX_OWNER.id, "approved and live", 20_000);
    await reply(ops, SANDBOX_OPERATOR.id, () => ops.clickButton(SANDBOX_OPERATOR.id, request.message_id, "ap:en:vanna_smm_bot"), "is approved");
    expect(textOf(await live)).toContain("@vanna_smm_bot");

    // Every message that carried a secret is deleted; no message left in the chat shows a secret.
    const left = ops.history(SANDBOX_OWNER.id).filter((m) => !m.deleted).map(textOf);
    for (const a of answers.filter((x) => x.secret)) expect(left).not.toContain(a.text);
    for (const secret of secrets()) expect(left.join("\n")).not.toContain(secret);

    await eventually(async () => app.merchants.all().length === 2, "the new shop served beside the first");
    kess.webhookFaults.mode = "duplicate";
    const balanceA = sandbox.panel.balanceOf("dara");
    const topUp = await topUpThrough(shop, SANDBOX_CUSTOMER_B.id, "bopha", "kess", app.database);
    expect(topUp.merchantId).not.toBe(1);
    // The page's bank app lists it as the second shop's and pays it through that shop's KESS.
    const listed = await pageApi<{ topUps: { reference: string; shop: string; payable: boolean }[] }>("/topups");
    expect(listed.topUps).toEqual([expect.objectContaining({ reference: topUp.reference, shop: "shop2", payable: true })]);
    const receipt = reply(shop, SANDBOX_CUSTOMER_B.id, () => void pageApi("/pay", { reference: topUp.reference }), "Top-up successful", 30_000);
    expect(textOf(await receipt)).toContain("Credited to bopha: 5.00 USD");
    await eventually(async () => (await app.database.db.credit.count({ where: { status: "DONE", merchantId: topUp.merchantId } })) === 1, "the credit done");
    // The duplicate notification has been answered too: still one payment on the new shop's panel, none on the first's.
    await eventually(async () => kess.stats.notifications >= 2, "both notifications delivered");
    expect(panel.payments.map((p) => [p.login, p.amountMinor])).toEqual([["bopha", 500]]);
    expect(panel.balanceOf("bopha")).toBe(500);
    expect(sandbox.panel.payments).toEqual([]);
    expect(sandbox.panel.balanceOf("dara")).toBe(balanceA);
    const panelB = await pageApi<{ users: { login: string; balanceMinor: number }[] }>("/panel?shop=shop2");
    expect(panelB.users.find((u) => u.login === "bopha")?.balanceMinor).toBe(500);
  }, 180_000);

  it("the owner's test payment from the approval's button, paid in the bank app, verifies the new shop once", async () => {
    const ops = sandbox.platformBot;
    const { bot: shop, panel } = sandbox.newShop;
    const owner = SANDBOX_OWNER.id;
    const shopSays = (text: string, match: Parameters<typeof nextMessage>[2]) => reply(shop, owner, () => shop.sendText(owner, text), match);
    const platformSays = (text: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, owner, () => ops.sendText(owner, text), match);
    const verifiedRow = () => app.database.db.merchant.findUniqueOrThrow({ where: { name: "vanna_smm_bot" } });

    const approved = ops.history(owner).find((m) => textOf(m).includes("approved and live"))!;
    const [button] = buttons(approved);
    expect(button).toEqual({ text: "🧪 Make a test payment", url: "https://t.me/vanna_smm_bot?start=testpayment" });
    expect(textOf(await platformSays("/myshop", "Your shop"))).toContain("⚠️ Not yet verified");
    expect((await verifiedRow()).verifiedAt).toBeNull();

    // The button opens the shop's own bot on `/start <its start parameter>`: not linked yet, the owner's panel user is asked first.
    const start = `/start ${new URL(button!.url!).searchParams.get("start")}`;
    expect(textOf(await shopSays(start, "username (login)"))).toBe("Please send me your username (login) on the panel.");
    const card = await shopSays("vanna", (m) => m.photo !== undefined);
    const topUp = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(owner), messageId: card.message_id } }), "the test card's top-up");
    expect(topUp).toMatchObject({ amountMinor: 1, currency: "USD", panelLogin: "vanna" });
    expect(topUp.merchantId).toBe((await verifiedRow()).id);

    // Paid in the page's bank app, through the shop's KESS (its notification still delivered twice).
    const listed = await pageApi<{ topUps: { reference: string; shop: string; payable: boolean }[] }>("/topups");
    expect(listed.topUps).toEqual([expect.objectContaining({ reference: topUp.reference, shop: "shop2", payable: true })]);
    const summary = nextMessage(shop, owner, "each step's time", 30_000);
    const receipt = reply(shop, owner, () => void pageApi("/pay", { reference: topUp.reference }), "Top-up successful", 30_000);
    expect(textOf(await receipt)).toContain("Credited to vanna: 0.01 USD");
    const steps = textOf(await summary);
    expect(steps).toMatch(new RegExp(String.raw`Test payment ${topUp.reference}, each step's time:\n• KHQR shown: [\d.]+ m?s after you asked\n`));
    expect(steps).toContain("✅ Your shop is verified");

    // Credited exactly once on the new shop's own panel, the duplicate notification answered too.
    await eventually(async () => (await app.database.db.credit.count({ where: { status: "DONE", topUpId: topUp.id } })) === 1, "the test credit done");
    expect(await app.database.db.credit.count({ where: { topUpId: topUp.id } })).toBe(1);
    expect(panel.payments.filter((p) => p.login === "vanna").map((p) => p.amountMinor)).toEqual([1]);
    expect(panel.balanceOf("vanna")).toBe(1);
    expect(sandbox.panel.payments).toEqual([]);

    const merchant = await verifiedRow();
    expect(merchant.verifiedTopUpId).toBe(topUp.id);
    const audit = await app.database.db.auditLog.findMany({ where: { action: MERCHANT_VERIFIED_ACTION } });
    expect(audit.map((a) => [a.actorId, a.subject, a.merchantId])).toEqual([[BigInt(owner), "merchant:vanna_smm_bot", merchant.id]]);
    const mine = textOf(await platformSays("/myshop", "Your shop"));
    expect(mine).toContain(`✅ Verified: test payment ${topUp.reference} credited`);
    expect(mine).not.toContain("not yet verified");
    expect(textOf(await reply(ops, SANDBOX_OPERATOR.id, () => ops.sendText(SANDBOX_OPERATOR.id, "/platform"), "Shops"))).toContain("• vanna_smm_bot (active, @vanna_smm_bot)");
  }, 120_000);

  it("the page shows each bot's chats apart, the platform bot's without the deleted secrets", async () => {
    expect((await fetch(`${app.url}/sandbox/platform`)).status).toBe(200);
    const owner = await pageApi<{ messages: { text: string; fromBot: boolean }[] }>("/chats/owner/messages");
    const texts = owner.messages.map((m) => m.text);
    expect(texts).toContain("/newshop");
    expect(texts.some((t) => t.includes("I deleted your message"))).toBe(true);
    for (const a of sandbox.newShop.answers) expect(texts.includes(a.text)).toBe(!a.secret);
    const customer2 = await pageApi<{ messages: { text: string }[] }>("/chats/customer2/messages");
    expect(customer2.messages.some((m) => m.text.includes("Top-up successful"))).toBe(true);
    expect((await pageApi<{ messages: unknown[] }>("/chats/customer/messages")).messages).toEqual([]);
    // Each bot has its own events: the platform bot's name only its own chats.
    const events = await pageApi<{ events: { chat: string | null }[] }>("/events?bot=platform&after=0");
    expect(new Set(events.events.map((e) => e.chat).filter((c) => c !== null))).toEqual(new Set(["owner", "operator"]));
    expect((await fetch(`${app.url}/sandbox/api/events?bot=nobody`)).status).toBe(404);
  }, 30_000);

  it("the platform view shows the three bots' chats, both panels, and no secret the owner types", async () => {
    const { browser, page, errors } = await openBrowserPage({ width: 1480, height: 1000 });
    try {
      await page.goto(`${app.url}/sandbox/platform`);
      await page.locator("body.ready").waitFor({ timeout: 15_000 });
      const owner = page.locator("#chat-owner");
      await owner.locator(".msg.out").filter({ hasText: "/newshop" }).first().waitFor();
      await page.locator("#chat-customer2 .msg.in").filter({ hasText: "Top-up successful" }).waitFor();
      expect(await page.locator('.shop[data-shop="shop2"] tr[data-login="bopha"] .balance').textContent()).toBe("5.00 USD");
      expect(await page.locator('.shop[data-shop="shop"] tr[data-login="dara"] .balance').textContent()).toBe("2.50 USD");
      expect(await page.locator("#chat-customer .msg").count()).toBe(0);

      // The owner sends the bot token again from its button: the bot deletes it (and refuses it: that shop exists).
      await page.locator('.chips[data-chat="owner"] button[data-send="/newshop"]').click();
      await owner.locator(".msg.in").filter({ hasText: "Step 1" }).nth(1).waitFor();
      await page.locator('.chips[data-chat="owner"] button').filter({ hasText: "🔒 Bot token" }).click();
      await page.locator('form.composer[data-chat="owner"] textarea').press("Enter");
      await owner.locator(".msg.in").filter({ hasText: "already" }).last().waitFor({ timeout: 20_000 });
      const shown = await owner.innerText();
      for (const secret of secrets()) expect(shown).not.toContain(secret);
      expect(await page.locator('form.composer[data-chat="owner"] textarea').inputValue()).toBe("");
      await page.locator('.chips[data-chat="owner"] button[data-send="/cancel"]').click();

      // The owner's tab in the shop's bot offers the test payment: its KHQR card shows there.
      await page.locator('.tab[data-tab="owner2"]').click();
      const cards = page.locator("#chat-owner2 .msg.in img.photo");
      const before = await cards.count();
      await page.locator('.chips[data-chat="owner2"] button[data-send="/start testpayment"]').click();
      await cards.nth(before).waitFor({ timeout: 20_000 });
      expect(await app.database.db.testPayment.count()).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  /** The secrets the owner types in /newshop. */
  function secrets(): string[] {
    const { answers, kess } = sandbox.newShop;
    const c = kess.config();
    return [...answers.filter((a) => a.label === "Bot token" || a.label === "Panel API key").map((a) => a.text), c.clientSecret, c.password, c.apiSecret];
  }

  async function pageApi<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${app.url}/sandbox/api${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  }
});
