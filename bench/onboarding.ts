/**
 * Issue 23's "Measured": a scripted merchant walks the operators' bot's `/newshop` against the simulators (fake
 * Telegram for the operators' bot and the new shop's bot, a PerfectPanel simulator, the KESS simulator), an
 * operator approves, and the merchant makes the shop's test payment from their own Telegram account through their
 * own shop bot (the approval message's button: `/start testpayment`, their panel login, the KHQR card, paid in the
 * KESS simulator) until the receipt's step summary says the shop is verified. Counted: the merchant's messages (texts
 * and button presses, in both bots) and the checks run (the outside calls that checked an answer: getMe of their
 * bot, the panel's read calls, KESS's calls); timed: the system's part only, from each message sent (or the payment
 * made) to the answer it waits for: the merchant's typing and paying and the operator's press are not in it.
 * ONBOARDING_RUNS (default 3) walks, each with a new shop.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProcessConfig } from "../src/config/config.js";
import { startApplication } from "../src/main.js";
import { readOperatorBot } from "../src/platform/operator-settings.js";
import { readPlatformSettings } from "../src/platform/platform-settings.js";
import { TEST_PAYMENT_START } from "../src/platform/test-payments.js";
import { startPerfectPanelSimulator } from "../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator } from "../sandbox/providers/kess-simulator.js";
import { createFakeTelegram, type BotDriver, type ChatMessage } from "../sandbox/telegram/index.js";
import { silentLog } from "./support/fixtures.js";
import { ms, num, type BenchResult } from "./support/result.js";

const RUNS = Number(process.env.ONBOARDING_RUNS ?? 3);
const TARGET_SYSTEM_MS = 60_000;
const TARGET_MESSAGES = 15;
const OPERATOR = 740_000_001;
const PANEL_KEY = "bench-onboarding-panel-key-5d1e";
const PANEL_LOGIN = "dara";
const token = (id: number, tag: string) => `${id}:${tag.padEnd(35, "0").slice(0, 35)}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** `action`, then the chat's next bot message that `match`es: the time between them is the system's. */
async function answered(bot: BotDriver, chatId: number, action: () => unknown, match: (m: ChatMessage) => boolean): Promise<{ message: ChatMessage; ms: number }> {
  const after = Math.max(0, ...bot.messagesIn(chatId).map((m) => m.message_id));
  const started = performance.now();
  const waiting = bot.waitFor(chatId, (m) => m.message_id > after && !m.deleted && match(m), 30_000);
  action();
  const message = await waiting;
  return { message, ms: performance.now() - started };
}
const has = (text: string) => (m: ChatMessage) => (m.text ?? "").includes(text);

/** Outside calls that checked an answer, per party. */
interface Checks {
  telegram: number;
  panel: number;
  kess: number;
}

export async function run(): Promise<BenchResult> {
  const telegram = await createFakeTelegram();
  const kess = await startKessSimulator();
  const panel = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { [PANEL_LOGIN]: 0 }, currency: "USD" });
  const dir = mkdtempSync(join(tmpdir(), "khqr-bench-onboarding-"));
  const platformToken = token(7_400_000_000, "BENCH-operators-bot");
  const ops = telegram.bot(platformToken, { username: "bench_ops_bot", first_name: "Platform" });
  ops.addUser({ id: OPERATOR, first_name: "Operator", language_code: "en" });
  const port = await freePort();
  const processEnv = {
    DATABASE_URL: `file:${join(dir, "platform.db")}`, BOT_MODE: "webhook", PUBLIC_URL: `http://127.0.0.1:${port}`, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port),
    LOG_LEVEL: "silent", MASTER_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_ROOT: telegram.url, PLATFORM_BOT_TOKEN: platformToken, PLATFORM_ADMIN_IDS: String(OPERATOR),
  };
  const settings = readPlatformSettings(processEnv);
  const app = await startApplication(loadProcessConfig(processEnv), { log: silentLog, platform: { masterKey: settings.masterKey, processEnv, operatorBot: readOperatorBot(processEnv, settings)! } });
  const walks: { messages: number; checks: Checks; conversationMs: number; approvalMs: number; servedMs: number; testPaymentMs: number; creditedMs: number; systemMs: number }[] = [];
  try {
    for (let i = 0; i < 100 && !ops.webhookInfo().url; i++) await new Promise((r) => setTimeout(r, 50));
    await answered(ops, OPERATOR, () => ops.sendText(OPERATOR, "/start"), has("Commands"));
    const c = kess.config();
    const credentials = [c.clientId, c.clientSecret, c.username, c.password, c.sellerCode, c.apiSecret, c.signType, `KESS_BASE_URL=${kess.url}`].join("\n");
    const kessCalls = () => kess.stats.passwordGrants + kess.stats.refreshGrants + Object.values(kess.stats.calls).reduce((a, b) => a + b, 0);
    for (let run = 0; run < RUNS; run++) {
      const merchant = 740_000_100 + run;
      ops.addUser({ id: merchant, first_name: `Merchant ${run}`, language_code: "en" });
      const shopToken = token(7_400_000_100 + run, `BENCH-shop-${run}`);
      const shop = telegram.bot(shopToken, { username: `bench_shop_${run}_bot`, first_name: `Shop ${run}` });
      shop.addUser({ id: merchant, first_name: `Merchant ${run}`, language_code: "en" });
      let messages = 0;
      let conversationMs = 0;
      const say = async (bot: BotDriver, text: string, next: (m: ChatMessage) => boolean) => {
        messages++;
        const r = await answered(bot, merchant, () => bot.sendText(merchant, text), next);
        conversationMs += r.ms;
        return r.message;
      };
      const press = async (message: ChatMessage, data: string, next: string) => {
        messages++;
        const r = await answered(ops, merchant, () => ops.clickButton(merchant, message.message_id, data), has(next));
        conversationMs += r.ms;
        return r.message;
      };
      const before = { telegram: shop.calls("getMe").length, panel: panel.traffic.calls, kess: kessCalls() };
      await say(ops, "/newshop", has("Step 1"));
      const type = await say(ops, shopToken, has("Step 2"));
      await press(type, "ob:panel_type:perfectpanel", "Step 3");
      await say(ops, panel.url, has("Step 4"));
      await say(ops, PANEL_KEY, has("Step 5"));
      const providers = await say(ops, "-", has("Step 6"));
      await press(providers, "ob:providers:kess", "Step 7");
      await say(ops, credentials, has("Step 8"));
      await say(ops, "-", has("Step 9"));
      const summary = await say(ops, `Bench Shop ${run}`, has("Please check your shop"));
      const request = ops.waitFor(OPERATOR, has(`Shop "bench_shop_${run}_bot" awaits approval`), 30_000);
      await press(summary, "ob:confirm:submit", "is submitted");
      const asked = await request;
      const conversationChecks = { telegram: shop.calls("getMe").length - before.telegram, panel: panel.traffic.calls - before.panel, kess: kessCalls() - before.kess };
      const approval = await answered(ops, merchant, () => ops.clickButton(OPERATOR, asked.message_id, `ap:en:bench_shop_${run}_bot`), has("approved and live"));

      // The approval message's button opens the merchant's own shop bot on its test payment.
      const keyboard = (approval.message.reply_markup?.inline_keyboard ?? []) as { url?: string }[][];
      const url = keyboard.flat().find((b) => b.url !== undefined)?.url;
      if (!url || new URL(url).searchParams.get("start") !== TEST_PAYMENT_START) throw new Error("the approval message offers no test payment");
      const started = performance.now();
      while (app.merchants.all().length < run + 1) {
        if (performance.now() - started > 60_000) throw new Error("the platform never served the new shop");
        await new Promise((r) => setTimeout(r, 10));
      }
      const servedMs = performance.now() - started;
      const conversationBefore = conversationMs;
      const panelBefore = panel.traffic.calls;
      await say(shop, `/start ${TEST_PAYMENT_START}`, has("username (login)"));
      const card = await say(shop, PANEL_LOGIN, (m) => m.photo !== undefined);
      const testPaymentMs = conversationMs - conversationBefore;
      conversationMs = conversationBefore;
      // The login's lookup on the panel is the test payment's one check (opening the KHQR order is not one).
      const checks = { ...conversationChecks, panel: conversationChecks.panel + panel.traffic.calls - panelBefore };
      const reference = /Reference: (\d+)/.exec(card.caption ?? card.text ?? "")?.[1];
      if (!reference) throw new Error("the test payment's card shows no reference");
      // The merchant pays in their banking app (their time); from then on, everything is the system's.
      const credited = await answered(shop, merchant, () => void kess.pay({ reference }), has("Your shop is verified"));
      const walk = { messages, checks, conversationMs, approvalMs: approval.ms, servedMs, testPaymentMs, creditedMs: credited.ms };
      walks.push({ ...walk, systemMs: walk.conversationMs + walk.approvalMs + walk.servedMs + walk.testPaymentMs + walk.creditedMs });
    }
  } finally {
    await app.stop();
    await kess.close();
    await panel.close();
    await telegram.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const worst = (pick: (w: (typeof walks)[number]) => number) => Math.max(...walks.map(pick));
  const median = (pick: (w: (typeof walks)[number]) => number) => walks.map(pick).sort((a, b) => a - b)[Math.floor(walks.length / 2)]!;
  const checksOf = (w: (typeof walks)[number]) => w.checks.telegram + w.checks.panel + w.checks.kess;
  const first = walks[0]!.checks;
  return {
    name: "onboarding",
    title: "Onboarding by chat: /newshop to the first credited test payment",
    method: [
      `${RUNS} scripted merchants, one after another, each walk /newshop in the operators' bot (one PerfectPanel simulator, KESS), one process, SQLite, webhooks over loopback`,
      "an operator approves; the merchant presses the approval message's test-payment button (their own shop bot, /start testpayment), sends their panel login, and pays the 0.01 USD KHQR in the KESS simulator",
      "system time: from each merchant message (or button press) to the answer it waits for, the operator's Approve press to the merchant told, approval to the platform serving the shop (polled every 10 ms), the payment to the receipt's step summary; the merchant's typing and paying are not counted",
      "checks run: the outside calls that checked the merchant's answers: in the conversation (getMe of their bot, at its step and again on submit; the panel's read calls; KESS's calls, its token grant included) and the panel's lookup of the login the test payment links",
    ],
    figures: [
      { label: "merchant messages (texts and presses, both bots)", value: num(worst((w) => w.messages), 0) },
      { label: "checks run (outside calls)", value: `${num(worst(checksOf), 0)} (getMe ${first.telegram}, panel ${first.panel}, KESS ${first.kess})` },
      { label: "conversation system time, median", value: ms(median((w) => w.conversationMs)) },
      { label: "approve → merchant told, median", value: ms(median((w) => w.approvalMs)) },
      { label: "approved → shop served, median", value: ms(median((w) => w.servedMs)) },
      { label: "test payment: /start and login → KHQR card, median", value: ms(median((w) => w.testPaymentMs)) },
      { label: "paid → credited, receipt and summary, median", value: ms(median((w) => w.creditedMs)) },
      { label: "whole walk's system time, worst", value: ms(worst((w) => w.systemMs)) },
    ],
    targets: [
      { label: "merchant messages, one panel and one provider", target: `≤ ${TARGET_MESSAGES}`, measured: num(worst((w) => w.messages), 0), met: worst((w) => w.messages) <= TARGET_MESSAGES },
      { label: "system time to the first credited test payment (worst walk)", target: `≤ ${ms(TARGET_SYSTEM_MS)}`, measured: ms(worst((w) => w.systemMs)), met: worst((w) => w.systemMs) <= TARGET_SYSTEM_MS },
    ],
    notes: [],
  };
}
