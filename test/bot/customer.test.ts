import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateKhqr } from "../../src/khqr/index.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { ADMIN_CHAT, buttonData, buttons, decodeQrPhoto, eventually, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

let h: Harness;
const DARA = 501;
const SOKHA = 502;

beforeAll(async () => {
  h = await startHarness({ panelUsers: { dara: 250, sokha: 0 } });
  h.driver.addUser({ id: DARA, first_name: "Dara", username: "dara_kh", language_code: "en" });
  h.driver.addUser({ id: SOKHA, first_name: "Sokha", language_code: "km" });
  h.startWorkers();
  h.startBot();
});

afterAll(async () => {
  await h?.close();
});

/** Starts waiting for the bot's next matching message in the chat, then does `action`. */
function reply(chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs?: number): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, chatId, match, timeoutMs);
  action();
  return waiting;
}

const say = (userId: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(userId, () => h.driver.sendText(userId, text), match);
const click = (userId: number, message: ChatMessage, data: string, match: Parameters<typeof nextMessage>[2]) =>
  reply(userId, () => h.driver.clickButton(userId, message.message_id, data), match);
const isPhoto = (m: ChatMessage) => m.photo !== undefined;
const topUpsOf = async (telegramId: number) =>
  h.database.db.topUp.findMany({ where: { user: { telegramId: BigInt(telegramId) } }, orderBy: { id: "asc" } });

async function lastTopUp(telegramId: number) {
  const all = await topUpsOf(telegramId);
  return all.at(-1)!;
}

const topUpOfCard = (card: ChatMessage) => topUpShownBy(h, card);

describe("greeting and language", () => {
  it("greets in English with the main menu and a pointer to link the account", async () => {
    const greeting = await say(DARA, "/start", "Hello Dara");
    expect(textOf(greeting)).toContain("link your panel account");
    expect(buttons(greeting).map((b) => b.text)).toEqual(
      expect.arrayContaining(["💳 Top up", "💰 Balance", "🧾 History", "🔗 Link account", "❓ Help"]),
    );
    const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(DARA) } } });
    expect(user).toMatchObject({ username: "dara_kh", firstName: "Dara", language: "en", panelLogin: null });
  });

  it("greets a Khmer Telegram user in Khmer", async () => {
    const greeting = await say(SOKHA, "/start", "សួស្តី Sokha");
    expect(textOf(greeting)).toContain("ភ្ជាប់គណនី");
    expect(buttons(greeting).map((b) => b.text)).toContain("💳 បញ្ចូលទឹកប្រាក់");
    const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(SOKHA) } } });
    expect(user.language).toBe("km");
  });

  it("switches language, remembers it for later messages and stores it for notifications", async () => {
    const menu = await say(DARA, "/start", "Hello");
    const chooser = await click(DARA, menu, "menu:language", "Choose your language");
    h.driver.clickButton(DARA, chooser.message_id, "lang:km");
    await h.driver.waitFor(DARA, (m) => m.message_id === chooser.message_id && textOf(m).includes("ភាសាខ្មែរ"));
    const help = await say(DARA, "/help", "របៀបបញ្ចូលទឹកប្រាក់");
    expect(textOf(help)).toContain("1.00 USD");
    await eventually(async () => {
      const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(DARA) } } });
      expect(user.language).toBe("km");
    });

    const again = await say(DARA, "/language", "សូមជ្រើសរើសភាសា");
    h.driver.clickButton(DARA, again.message_id, "lang:en");
    await h.driver.waitFor(DARA, (m) => m.message_id === again.message_id && textOf(m).includes("I will speak English"));
    await say(DARA, "/help", "How to top up");
  });
});

describe("linking the panel account", () => {
  it("refuses a top-up until the account is linked, with a pointer", async () => {
    const answer = await say(DARA, "/topup", "link your panel account first");
    expect(buttonData(answer, "Link my account")).toBe("menu:link");
    expect(await topUpsOf(DARA)).toHaveLength(0);
  });

  it("asks for the login, re-asks when the panel does not know it, then links it", async () => {
    await say(DARA, "/link", "username (login) on the panel");
    const notFound = await say(DARA, "nobody_here", "could not find");
    expect(textOf(notFound)).toContain("nobody_here");
    const linked = await say(DARA, "dara", "Linked to the panel account dara");
    expect(textOf(linked)).not.toContain("2.50");
    const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(DARA) } } });
    expect(user).toMatchObject({ panelLogin: "dara", lastBalanceMinor: null });
  });

  it("says so when the panel is down, and keeps the old link", async () => {
    h.panel.setFault("http500", 10);
    await say(DARA, "/link", "username (login)");
    await say(DARA, "someone_else", "panel is not answering");
    h.panel.resetFaults();
    const user = await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(DARA) } } });
    expect(user.panelLogin).toBe("dara");
  });

  it("links in Khmer for a Khmer user", async () => {
    await say(SOKHA, "/link", "ឈ្មោះអ្នកប្រើ");
    await say(SOKHA, "sokha", "បានភ្ជាប់ជាមួយគណនី panel sokha");
  });
});

describe("topping up", () => {
  it("by preset: a KHQR card for the right amount; paying it credits the panel once and replaces the QR with a receipt", async () => {
    const prompt = await say(DARA, "/topup", "How much would you like to top up?");
    expect(buttons(prompt).map((b) => b.text)).toEqual(["5.00 USD", "10.00 USD", "20.00 USD", "✖️ Cancel"]);
    const card = await click(DARA, prompt, "c:amt:500", isPhoto);

    const topUp = await topUpOfCard(card);
    expect(topUp).toMatchObject({ amountMinor: 500, currency: "USD", status: TopUpStatus.PENDING, messageId: card.message_id, panelLogin: "dara" });
    expect(textOf(card)).toContain("Top-up 5.00 USD");
    expect(textOf(card)).toContain(`Reference: ${topUp.reference}`);
    expect(textOf(card)).toMatch(/pay before \d\d:\d\d \(Phnom Penh time\)/);
    expect(buttons(card).map((b) => b.callback_data)).toEqual([`tu:check:${topUp.id}`, `tu:cancel:${topUp.id}`]);

    const qr = decodeQrPhoto(card);
    expect(qr).toBe(topUp.qr);
    const khqr = validateKhqr(qr);
    expect(khqr.ok).toBe(true);
    if (khqr.ok) expect(khqr.value).toMatchObject({ amountMinor: 500, currency: "USD", billNumber: topUp.reference });

    await h.bakong.pay({ reference: topUp.reference, qr });
    const receipt = await reply(DARA, () => h.driver.clickButton(DARA, card.message_id, `tu:check:${topUp.id}`), "Top-up successful");
    expect(textOf(receipt)).toContain("Paid: 5.00 USD");
    expect(textOf(receipt)).toContain("Credited to dara: 5.00 USD");
    expect(textOf(receipt)).toContain(`Reference: ${topUp.reference}`);
    expect(textOf(receipt)).toContain("New balance: 7.50 USD");
    expect(h.driver.chat(DARA).find((m) => m.message_id === card.message_id)?.deleted).toBe(true);
    const answer = h.driver.callbackAnswers(DARA).find((a) => a.message_id === card.message_id);
    expect(answer?.text).toMatch(/Payment received/);

    expect(h.panel.balanceOf("dara")).toBe(750);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.panel.payments.filter((p) => p.login === "dara" && p.kind === "credit")).toHaveLength(1);
    expect(h.driver.chat(DARA).filter((m) => textOf(m).includes("Top-up successful"))).toHaveLength(1);
    expect((await h.database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe(TopUpStatus.CREDITED);
  });

  it("tells the admin chat about the payment", async () => {
    const topUp = await lastTopUp(DARA);
    const note = await h.driver.waitFor(ADMIN_CHAT, (m) => textOf(m).includes(topUp.reference));
    expect(textOf(note)).toMatch(/5\.00 USD via bakong/);
    expect(textOf(note)).toContain("dara");
  });

  it("by a typed amount, and cancelling takes the QR away", async () => {
    await say(DARA, "/topup", "How much");
    const card = await say(DARA, "12.5", isPhoto);
    expect(textOf(card)).toContain("Top-up 12.50 USD");
    const topUp = await topUpOfCard(card);
    expect(topUp.amountMinor).toBe(1250);

    const cancelled = await click(DARA, card, `tu:cancel:${topUp.id}`, "cancelled");
    expect(textOf(cancelled)).toContain(topUp.reference);
    expect(buttonData(cancelled, "New top-up")).toBe("menu:topup");
    expect(h.driver.chat(DARA).find((m) => m.message_id === card.message_id)?.deleted).toBe(true);
    expect((await h.database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe(TopUpStatus.CANCELLED);
  });

  it("re-asks for each kind of bad amount, naming the limit", async () => {
    const before = (await topUpsOf(DARA)).length;
    await say(DARA, "/topup", "How much");
    expect(textOf(await say(DARA, "ten dollars", "only the amount in numbers"))).toContain("1.00 USD");
    await say(DARA, "-5", "must be more than zero");
    await say(DARA, "1.234", "at most 2 decimals");
    expect(textOf(await say(DARA, "0.50", "smallest top-up"))).toContain("1.00 USD");
    expect(textOf(await say(DARA, "600", "largest top-up"))).toContain("500.00 USD");
    await say(DARA, "/cancel", "OK, stopped.");
    await say(DARA, "7", "Please use the menu");
    expect(await topUpsOf(DARA)).toHaveLength(before);
  });

  it("offers the pending top-up again instead of a second one", async () => {
    await say(DARA, "/topup", "How much");
    const first = await say(DARA, "10", isPhoto);
    const offer = await say(DARA, "/topup", "already have a top-up waiting");
    const topUp = await lastTopUp(DARA);
    expect(textOf(offer)).toContain(topUp.reference);
    expect(textOf(offer)).toContain("10.00 USD");

    const again = await click(DARA, offer, `tu:show:${topUp.id}`, isPhoto);
    expect(decodeQrPhoto(again)).toBe(topUp.qr);
    expect((await topUpOfCard(again)).id).toBe(topUp.id);
    await eventually(() => expect(h.driver.chat(DARA).find((m) => m.message_id === first.message_id)?.deleted).toBe(true));
    expect((await topUpsOf(DARA)).filter((t) => t.status === TopUpStatus.PENDING)).toHaveLength(1);
  });

  it("rate-limits the check button", async () => {
    const topUp = await lastTopUp(DARA);
    const card = h.driver.chat(DARA).find((m) => m.message_id === topUp.messageId)!;
    await h.database.db.keyValue.deleteMany({ where: { key: { startsWith: "rate:" } } });
    h.driver.clickButton(DARA, card.message_id, `tu:check:${topUp.id}`);
    h.driver.clickButton(DARA, card.message_id, `tu:check:${topUp.id}`);
    await eventually(() => expect(h.driver.callbackAnswers(DARA).filter((a) => a.message_id === card.message_id)).toHaveLength(2));
    const texts = h.driver.callbackAnswers(DARA).filter((a) => a.message_id === card.message_id).map((a) => a.text);
    expect(texts).toContain("Not received yet. If you have just paid, give it a few seconds.");
    expect(texts).toContain("Just checked: please wait a few seconds before checking again.");
  });

  it("on expiry replaces the card with an 'expired' message and a New top-up button", async () => {
    const topUp = await lastTopUp(DARA);
    const expiredMessage = nextMessage(h.driver, DARA, "has expired");
    await h.database.db.topUp.update({ where: { id: topUp.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await expiredMessage;
    expect(textOf(expired)).toContain(topUp.reference);
    expect(buttonData(expired, "New top-up")).toBe("menu:topup");
    expect(h.driver.chat(DARA).find((m) => m.message_id === topUp.messageId)?.deleted).toBe(true);
    expect((await h.database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).status).toBe(TopUpStatus.EXPIRED);
  });

  it("credits a payment that arrives after expiry and says it came late", async () => {
    const topUp = await lastTopUp(DARA);
    const balance = h.panel.balanceOf("dara")!;
    const late = nextMessage(h.driver, DARA, "Late payment credited", 15_000);
    await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr });
    const receipt = await late;
    expect(textOf(receipt)).toContain("after the QR code had expired");
    expect(textOf(receipt)).toContain(topUp.reference);
    expect(h.panel.balanceOf("dara")).toBe(balance + 1000);
  });

  it("survives a restart in the middle of the conversation", async () => {
    await say(DARA, "/topup", "How much");
    await h.restartBot();
    const card = await say(DARA, "7", isPhoto);
    expect(textOf(card)).toContain("Top-up 7.00 USD");
    const topUp = await topUpOfCard(card);
    expect(topUp).toMatchObject({ amountMinor: 700, status: TopUpStatus.PENDING, messageId: card.message_id });
  });

  it("covers a QR it can no longer delete (Telegram refuses deleting messages older than 48 hours)", async () => {
    const topUp = await lastTopUp(DARA);
    h.driver.failNext("deleteMessage", 400);
    await say(DARA, "/cancel", "cancelled");
    const card = h.driver.chat(DARA).find((m) => m.message_id === topUp.messageId)!;
    expect(card.deleted).toBe(false);
    expect(textOf(card)).toBe("This QR code is no longer valid. Please do not pay it.");
    expect(buttons(card)).toEqual([]);
    expect(() => decodeQrPhoto(card)).toThrow("no QR code");
  });

  it("speaks Khmer through the whole flow for a Khmer user", async () => {
    const prompt = await say(SOKHA, "/topup", "តើអ្នកចង់បញ្ចូលទឹកប្រាក់ប៉ុន្មាន");
    await say(SOKHA, "abc", "សូមវាយតែចំនួនទឹកប្រាក់ជាលេខ");
    const card = await click(SOKHA, prompt, "c:amt:2000", isPhoto);
    expect(textOf(card)).toContain("បញ្ចូលទឹកប្រាក់ 20.00 USD");
    const topUp = await topUpOfCard(card);
    await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr });
    const receipt = await nextMessage(h.driver, SOKHA, "បញ្ចូលទឹកប្រាក់បានជោគជ័យ", 15_000);
    expect(textOf(receipt)).toContain("សមតុល្យថ្មី៖ 20.00 USD");
    expect(h.panel.balanceOf("sokha")).toBe(2000);
  });
});

describe("balance, history, help, unknown input", () => {
  it("shows the live panel balance", async () => {
    const answer = await say(DARA, "/balance", "Balance of dara");
    expect(textOf(answer)).toContain(`${(h.panel.balanceOf("dara")! / 100).toFixed(2)} USD`);
  });

  it("falls back to the last known balance when the panel is down, saying it may be old", async () => {
    h.panel.setFault("http500", 10);
    const answer = await say(DARA, "/balance", "last known");
    h.panel.resetFaults();
    expect(textOf(answer)).toContain("may be out of date");
  });

  it("lists the last top-ups with their state", async () => {
    const answer = await say(DARA, "/history", "Your last");
    const text = textOf(answer);
    expect(text).toContain("5.00 USD · credited");
    expect(text).toContain("12.50 USD · cancelled");
    expect(text).toContain("10.00 USD · credited");
    const khmer = await say(SOKHA, "/history", "ការបញ្ចូលទឹកប្រាក់ចុងក្រោយ");
    expect(textOf(khmer)).toContain("បានបញ្ចូលរួច");
  });

  it("answers an admin command from a customer exactly like an unknown command", async () => {
    const unknown = await say(DARA, "/frobnicate", "don't know that command");
    const refund = await say(DARA, "/refund 123 5 because", "don't know that command");
    expect(textOf(refund)).toBe(textOf(unknown));
    expect(refund.reply_markup).toEqual(unknown.reply_markup);
    expect(await h.database.db.auditLog.count()).toBe(0);
  });

  it("ignores group chats", async () => {
    const group = -100_555;
    h.driver.addGroup({ id: group, botIsAdmin: true });
    h.driver.sendToGroup(group, DARA, "/topup");
    await say(DARA, "/help", "How to top up");
    expect(h.driver.messagesIn(group)).toHaveLength(0);
  });
});
