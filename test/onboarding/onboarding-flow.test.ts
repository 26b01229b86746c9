import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator, type Locale } from "../../src/bot/i18n.js";
import { createOnboarding, type Onboarding, type OnboardingTurn } from "../../src/onboarding/flow.js";
import type { OnboardingState, OnboardingStep } from "../../src/onboarding/state.js";
import { approveMerchant, type MerchantAdmin } from "../../src/platform/add-merchant.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { createMerchantStore } from "../../src/platform/merchant-store.js";
import { startBakongSimulator, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { fakeBotToken } from "../support/bot-token.js";
import { silentLog } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { freePort } from "../support/platform.js";

/** Issue 23: onboarding by chat, each answer checked at once against the simulators, in English and Khmer. */
const DAY_MS = 86_400_000;
const NOW = Date.now();
let sandbox: Sandbox;
let database: TestDatabase;
let admin: MerchantAdmin;
let flow: Onboarding;
let expiringBakong: BakongSimulator;
const expiringToken = jwt(Math.floor((NOW + 5 * DAY_MS + 3_600_000) / 1000));
let nextBotId = 8_200_000_000;

function jwt(exp: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ id: "onboarding-test", exp })}.${randomBytes(16).toString("base64url")}`;
}

beforeAll(async () => {
  sandbox = await startSandbox({ providers: ["bakong", "kess"] });
  expiringBakong = await startBakongSimulator({ token: expiringToken, accounts: ["sokha_shop@aclb"] });
  database = await freshSqlite();
  const settings = { publicUrl: "https://platform.example", masterKey: readMasterKey({ MASTER_KEY: randomBytes(32).toString("base64") }) };
  const processEnv = { PUBLIC_URL: settings.publicUrl, TELEGRAM_API_ROOT: sandbox.env.TELEGRAM_API_ROOT!, DATABASE_URL: "file:unused.db" };
  admin = { store: createMerchantStore(database), settings, processEnv };
  flow = createOnboarding({ ...admin, log: silentLog, timeoutMs: 5_000, now: () => NOW });
});

afterAll(async () => {
  await expiringBakong?.close();
  await database?.drop();
  await sandbox?.close();
});

/** A merchant's new bot in the fake Telegram: its token and username. */
function newBot(): { token: string; username: string; id: number } {
  const id = nextBotId++;
  const driver = sandbox.telegram.bot(fakeBotToken(id, `merchant-${id}`), { username: `shop_${id}_bot` });
  return { token: driver.token, username: driver.me.username, id };
}

const kessLines = () => {
  const e = sandbox.env;
  return [e.KESS_CLIENT_ID, e.KESS_CLIENT_SECRET, e.KESS_USERNAME, e.KESS_PASSWORD, e.KESS_SELLER_CODE, e.KESS_API_SECRET, e.KESS_SIGN_TYPE, `KESS_BASE_URL=${e.KESS_BASE_URL}`].join("\n");
};
const bakongLines = (over: { token?: string; account?: string; url?: string } = {}) =>
  [over.token ?? sandbox.env.BAKONG_TOKEN, over.account ?? sandbox.env.BAKONG_ACCOUNT_ID, `BAKONG_API_URL=${over.url ?? sandbox.env.BAKONG_API_URL}`].join("\n");

/** A right answer to every step. */
function rightAnswers(token: string): Record<Exclude<OnboardingStep, "confirm">, string[]> {
  return {
    bot_token: [token],
    panel_type: ["perfectpanel"],
    panel_url: [sandbox.env.PANEL_URL!],
    panel_key: [sandbox.env.PANEL_API_KEY!],
    payment_method: ["-"],
    providers: ["bakong, kess"],
    provider_credentials: [bakongLines(), kessLines()],
    admin_chat: ["-"],
    shop_name: ["Sokha SMM"],
  };
}

/** From /newshop to `step`, answering each question rightly: every answer moves on. */
async function walkTo(step: OnboardingStep, locale: Locale, token = newBot().token): Promise<Asked> {
  const answers = rightAnswers(token);
  const turns = [flow.start({ id: 5_550_001, locale })];
  let state = turns[0]!.state!;
  while (state.step !== step) {
    const asked = answers[state.step as Exclude<OnboardingStep, "confirm">].shift()!;
    const turn = await flow.answer(state, asked);
    turns.push(turn);
    expect(turn.state, `${state.step} refused: ${turn.replies.map((r) => r.text).join(" | ")}`).not.toEqual(state);
    state = turn.state!;
  }
  return { state, turns, question: turns.at(-1)!.replies.at(-1)!.text };
}

/** Where a walk stopped: the state, every turn so far, and the question the merchant sees. */
interface Asked {
  state: OnboardingState;
  turns: OnboardingTurn[];
  question: string;
}

/** The answer is refused with exactly this sentence, the question is asked again, and nothing enters the draft. */
async function expectRefusal({ state, question }: Asked, answer: string, key: string, params: Record<string, string | number> = {}): Promise<string> {
  const turn = await flow.answer(state, answer);
  const t = translator(state.locale);
  expect(turn.state).toEqual(state);
  expect(turn.replies[0]!.text).toBe(t(key, params));
  expect(turn.replies.at(-1)!.text).toBe(question);
  if (state.locale === "km") {
    expect(turn.replies[0]!.text).toMatch(/[\u1780-\u17FF]/);
    expect(turn.replies[0]!.text).not.toBe(translator("en")(key, params));
  }
  return turn.replies[0]!.text;
}

describe.each(["en", "km"] as const)("onboarding by chat (%s)", (locale) => {
  const t = translator(locale);

  it("walks from the bot token to a pending shop, secrets sealed in the draft and in no reply; an operator's approval makes it live", async () => {
    const bot = newBot();
    const { state, turns } = await walkTo("confirm", locale, bot.token);
    const secrets = [bot.token, sandbox.env.PANEL_API_KEY!, sandbox.env.BAKONG_TOKEN!, sandbox.env.KESS_PASSWORD!, sandbox.env.KESS_CLIENT_SECRET!, sandbox.env.KESS_API_SECRET!];
    for (const secret of secrets) expect(JSON.stringify(state)).not.toContain(secret);
    expect(turns.at(-1)!.replies.at(-1)!.text).toContain(t("onboarding-secret-hidden"));
    expect(turns.flatMap((turn) => turn.replies).map((r) => r.text).join("\n")).toContain(t("onboarding-ok-bot", { username: bot.username }));
    expect(flow.expectsSecret({ ...state, step: "panel_key" })).toBe(true);
    expect(flow.expectsSecret({ ...state, step: "shop_name" })).toBe(false);

    const submitted = await flow.answer(state, "submit");
    expect(submitted.state).toBeUndefined();
    const merchant = submitted.submitted!.merchant;
    expect(merchant).toMatchObject({ name: bot.username, state: "pending", botUsername: bot.username });
    const kessWebhook = submitted.submitted!.addresses.providers.kess!;
    expect(kessWebhook).toBe(`https://platform.example/webhooks/kess/${merchant.routeKey}`);
    expect(submitted.replies[0]!.text).toContain(kessWebhook);
    const said = [...turns, submitted].flatMap((turn) => turn.replies).map((r) => r.text).join("\n");
    for (const secret of secrets) expect(said).not.toContain(secret);

    expect((await admin.store.ownedBy(5_550_001)).map((m) => m.name)).toContain(merchant.name);
    expect(await admin.store.ownedBy(555_000)).toEqual([]);
    const stored = await admin.store.secrets(merchant.id, admin.settings.masterKey);
    expect(stored.vars).toMatchObject({ BOT_TOKEN: bot.token, ADMIN_IDS: "5550001", PAYMENT_PROVIDERS: "bakong,kess", PANEL_PAYMENT_METHOD: "KHQR", MERCHANT_NAME: "Sokha SMM" });
    // Telegram is told of the shop only when it goes live.
    const driver = sandbox.telegram.bot(bot.token);
    expect(driver.calls("setWebhook")).toEqual([]);
    const approved = await approveMerchant(admin, merchant.name, 9_990_001);
    expect(approved).toEqual({ merchant: expect.objectContaining({ state: "active" }) });
    expect(driver.calls("setWebhook")).toHaveLength(1);
    expect(await database.db.auditLog.findMany({ where: { merchantId: merchant.id } })).toMatchObject([{ action: "merchant_approved", actorId: 9_990_001n }]);
  });

  it("refuses a token Telegram does not know", async () => {
    const asked = await walkTo("bot_token", locale);
    await expectRefusal(asked, fakeBotToken(7_000_000_001, "nobody-has-this-bot"), "onboarding-check-bot-token-refused");
  });

  it("refuses a token that is not shaped like one, naming BOT_TOKEN", async () => {
    const { state } = await walkTo("bot_token", locale);
    const turn = await flow.answer(state, "not-a-token");
    expect(turn.state).toEqual(state);
    expect(turn.replies[0]!.text).toContain("BOT_TOKEN:");
    expect(turn.replies[0]!.text).toContain(t("onboarding-fix-bot-token"));
    expect(turn.replies[0]!.text).not.toContain("not-a-token");
  });

  it("refuses a bot another shop of the platform uses", async () => {
    const bot = newBot();
    const first = await walkTo("confirm", locale, bot.token);
    expect((await flow.answer(first.state, "submit")).submitted).toBeDefined();
    const asked = await walkTo("bot_token", locale);
    await expectRefusal(asked, bot.token, "onboarding-bot-in-use", { username: bot.username });
  });

  it("tells an address that is not a panel from one where nothing answers", async () => {
    const asked = await walkTo("panel_url", locale);
    await expectRefusal(asked, sandbox.env.TELEGRAM_API_ROOT!, "onboarding-check-panel-not-a-panel", { panel: "perfectpanel" });
    await expectRefusal(asked, `http://127.0.0.1:${await freePort()}`, "onboarding-check-panel-unreachable", { panel: "perfectpanel" });
    const socpanel = { ...asked, state: { ...asked.state, vars: { ...asked.state.vars, PANEL_TYPE: "socpanel" } } };
    await expectRefusal(socpanel, sandbox.env.TELEGRAM_API_ROOT!, "onboarding-check-panel-not-a-panel", { panel: "socpanel" });
  });

  it("refuses a key the panel refuses", async () => {
    const text = await expectRefusal(await walkTo("panel_key", locale), "a-wrong-panel-key", "onboarding-check-panel-key-refused", { panel: "perfectpanel" });
    expect(text).not.toContain("a-wrong-panel-key");
  });

  it("refuses a payment method spelled otherwise than the one the panel's payments use", async () => {
    sandbox.panel.addUser("onboarding-checker", 0);
    await fetch(`${sandbox.env.PANEL_URL}/adminapi/v2/payments/add`, {
      method: "POST",
      headers: { "x-api-key": sandbox.env.PANEL_API_KEY!, "content-type": "application/json" },
      body: JSON.stringify({ username: "onboarding-checker", amount: 0.01, method: "KHQR", memo: "onboarding test" }),
    });
    await expectRefusal(await walkTo("payment_method", locale), "khqr", "onboarding-check-panel-method-misspelled", { method: "khqr", near: "KHQR" });
  });

  it("refuses provider credentials the provider refuses", async () => {
    const asked = await walkTo("provider_credentials", locale);
    const text = await expectRefusal(asked, bakongLines({ token: "a-wrong-bakong-token" }), "onboarding-check-provider-credentials-refused", { provider: "Bakong", variables: "BAKONG_TOKEN" });
    expect(text).not.toContain("a-wrong-bakong-token");
    await expectRefusal(asked, bakongLines({ account: "someone_else@aclb" }), "onboarding-check-bakong-account-unknown", { account: "someone_else@aclb" });
    const bakongTaken = await flow.answer(asked.state, bakongLines());
    const kessStep = { state: bakongTaken.state!, turns: [bakongTaken], question: bakongTaken.replies.at(-1)!.text };
    expect(kessStep.state).toMatchObject({ step: "provider_credentials", providerIndex: 1 });
    const wrongPassword = kessLines().replace(sandbox.env.KESS_PASSWORD!, "a-wrong-kess-password");
    await expectRefusal(kessStep, wrongPassword, "onboarding-check-provider-credentials-refused", {
      provider: "KESS Pay", variables: "KESS_CLIENT_ID, KESS_CLIENT_SECRET, KESS_USERNAME, KESS_PASSWORD",
    });
  });

  it("refuses a Bakong token that expires within 14 days", async () => {
    const asked = await walkTo("provider_credentials", locale);
    const date = new Date((Math.floor((NOW + 5 * DAY_MS + 3_600_000) / 1000)) * 1000).toISOString().slice(0, 10);
    await expectRefusal(asked, bakongLines({ token: expiringToken, account: "sokha_shop@aclb", url: expiringBakong.url }), "onboarding-check-bakong-expires-soon", { date, days: 5 });
  });

  it("refuses values start-up would refuse, saying what to do in the merchant's language and naming the variable", async () => {
    const { state } = await walkTo("shop_name", locale);
    const turn = await flow.answer(state, "A shop name far longer than twenty-five characters");
    expect(turn.state).toEqual(state);
    expect(turn.replies[0]!.text).toContain("MERCHANT_NAME:");
    expect(turn.replies[0]!.text).toContain(t("onboarding-fix-shop-name"));
    if (locale === "km") expect(t("onboarding-fix-shop-name")).toMatch(/[\u1780-\u17FF]/);
    const credentials = await walkTo("provider_credentials", locale);
    const partial = await flow.answer(credentials.state, sandbox.env.BAKONG_TOKEN!);
    expect(partial.state).toEqual(credentials.state);
    expect(partial.replies[0]!.text).toContain("BAKONG_ACCOUNT_ID: not given");
    expect(partial.replies[0]!.text).toContain(t("onboarding-fix-credentials"));
    expect(partial.replies[0]!.text).not.toContain(sandbox.env.BAKONG_TOKEN!);
    const chat = await walkTo("admin_chat", locale);
    const group = (await flow.answer(chat.state, "my group")).replies[0]!.text;
    expect(group).toContain("ADMIN_CHAT_ID:");
    expect(group).toContain(t("onboarding-fix-admin-chat"));
    expect(group).not.toContain(t("onboarding-fix-credentials"));
  });
});
