import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDailyReport } from "../../src/admin/daily-report.js";
import { actionSigner } from "../../src/bot/keyboards/held-actions.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { parseBonusTiers } from "../../src/money/bonus.js";
import { silentLog } from "../support/core.js";
import type { ChatMessage } from "../../sandbox/telegram/index.js";
import { ADMIN_CHAT, ADMIN_ID, buttonData, buttons, eventually, nextMessage, startHarness, textOf, topUpShownBy, type Harness } from "./harness.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

let h: Harness;
const KANHA = 801;

function reply(chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs?: number): Promise<ChatMessage> {
  const waiting = nextMessage(h.driver, chatId, match, timeoutMs);
  action();
  return waiting;
}
const say = (userId: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(userId, () => h.driver.sendText(userId, text), match);
const inGroup = (messageId: number) => h.driver.messagesIn(ADMIN_CHAT).find((m) => m.message_id === messageId)!;
const press = (userId: number, note: ChatMessage, label: string | RegExp) => h.driver.clickButton(userId, note.message_id, buttonData(note, label), { chatId: ADMIN_CHAT });

/** A top-up of `orderMinor` paid with `paidMinor` (an underpayment is held) and its admin note in the group. */
async function heldPayment(orderMinor: number, paidMinor: number) {
  await say(KANHA, "/topup", "How much");
  const card = await say(KANHA, String(orderMinor / 100), (m) => m.photo !== undefined);
  const topUp = await topUpShownBy(h, card);
  const told = nextMessage(h.driver, KANHA, "Our team needs to check it", 15_000);
  await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr, amountMinor: paidMinor });
  await told;
  const note = await h.driver.waitFor(ADMIN_CHAT, (m) => textOf(m).includes("UNDERPAID") && textOf(m).includes(topUp.reference));
  return { topUp, note };
}

beforeAll(async () => {
  h = await startHarness({ panelUsers: { kanha: 0 } });
  h.driver.addUser({ id: KANHA, first_name: "Kanha", username: "kanha", language_code: "en" });
  h.startWorkers();
  h.startBot();
  await say(KANHA, "/link", "username");
  await say(KANHA, "kanha", "Linked");
  await say(ADMIN_ID, "/start", "Hello Sophea");
});

afterAll(async () => {
  await h?.close();
});

describe("held-payment alerts", () => {
  it("carry Credit, Refund and Details; only admins may press; Credit asks first, then credits once, audited, and says who", async () => {
    const { topUp, note } = await heldPayment(2000, 1500);
    expect(buttons(note).map((b) => b.text)).toEqual(["✅ Credit", "↩️ Refund", "🔎 Details"]);
    for (const b of buttons(note)) expect(b.callback_data).toMatch(/^ha:[crd]:\d+:[A-Za-z0-9_-]{16}$/);

    // A customer who can see the group cannot act.
    press(KANHA, note, "Credit");
    await eventually(() => expect(h.driver.callbackAnswers(KANHA).at(-1)?.text).toBe("Only admins can do this."));
    expect(buttons(inGroup(note.message_id)).map((b) => b.text)).toEqual(["✅ Credit", "↩️ Refund", "🔎 Details"]);

    // Details: the top-up with its timeline, nothing changed.
    const details = await reply(ADMIN_CHAT, () => press(ADMIN_ID, note, "Details"), `Top-up ${topUp.reference}: HELD`);
    expect(textOf(details)).toContain("Timeline:");

    // Credit asks for confirmation; Back restores the three buttons.
    press(ADMIN_ID, note, "Credit");
    const asking = await eventually(() => {
      const m = inGroup(note.message_id);
      expect(buttons(m).map((b) => b.text)).toEqual(["✅ Confirm credit", "✖️ Back"]);
      return m;
    });
    expect(h.panel.balanceOf("kanha")).toBe(0);
    press(ADMIN_ID, asking, "Back");
    await eventually(() => expect(buttons(inGroup(note.message_id)).map((b) => b.text)).toEqual(["✅ Credit", "↩️ Refund", "🔎 Details"]));

    press(ADMIN_ID, inGroup(note.message_id), "Credit");
    const confirm = await eventually(() => {
      const m = inGroup(note.message_id);
      buttonData(m, "Confirm credit");
      return m;
    });
    const receipt = nextMessage(h.driver, KANHA, "Top-up successful", 15_000);
    const landed = nextMessage(h.driver, ADMIN_CHAT, "Released credit #", 15_000);
    press(ADMIN_ID, confirm, "Confirm credit");
    expect(textOf(await receipt)).toContain("Paid: 15.00 USD");
    expect(h.panel.balanceOf("kanha")).toBe(1500);
    expect(textOf(await landed)).toContain(`15.00 USD to kanha · ref ${topUp.reference}`);
    const edited = inGroup(note.message_id);
    expect(textOf(edited)).toContain("released by @sophea_admin (900001)");
    expect(textOf(edited)).toContain(textOf(note));
    expect(edited.reply_markup).toBeUndefined();
    const audits = await h.database.db.auditLog.findMany({ where: { action: "recredit", subject: topUp.reference } });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBe(BigInt(ADMIN_ID));
    expect(await h.database.db.credit.count({ where: { topUpId: topUp.id, status: "DONE" } })).toBe(1);
  });

  it("Refund asks first, refunds what was paid, cancels the held credit and offers the manual step", async () => {
    const { topUp, note } = await heldPayment(3000, 2500);
    press(ADMIN_ID, note, "Refund");
    const confirm = await eventually(() => {
      const m = inGroup(note.message_id);
      expect(buttons(m).map((b) => b.text)).toEqual(["↩️ Confirm refund", "✖️ Back"]);
      return m;
    });
    const outcome = await reply(ADMIN_CHAT, () => press(ADMIN_ID, confirm, "Confirm refund"), "Refund #");
    expect(textOf(outcome)).toContain(`25.00 USD for ${topUp.reference}`);
    expect(textOf(outcome)).toContain("Panel: nothing had been credited");
    expect(textOf(outcome)).toContain("Refund pending");
    buttonData(outcome, "Money returned");
    await eventually(() => {
      const m = inGroup(note.message_id);
      expect(textOf(m)).toContain("Refund #");
      expect(textOf(m)).toContain("by @sophea_admin (900001)");
      expect(m.reply_markup).toBeUndefined();
    });
    expect(await h.database.db.refund.count({ where: { topUpId: topUp.id } })).toBe(1);
    expect(await h.database.db.credit.findFirstOrThrow({ where: { topUpId: topUp.id } })).toMatchObject({ status: "CANCELLED" });
    expect(h.panel.balanceOf("kanha")).toBe(1500);

    // Later, /refund on the same reference brings the pending refund back with its button.
    const nothingLeft = nextMessage(h.driver, ADMIN_ID, `Top-up ${topUp.reference} is already fully refunded`);
    const again = await say(ADMIN_ID, `/refund ${topUp.reference}`, "is still pending");
    expect(textOf(again)).toContain(`of 25.00 USD for ${topUp.reference}`);
    await nothingLeft;
    h.driver.clickButton(ADMIN_ID, again.message_id, buttonData(again, "Money returned"));
    const asking = await eventually(() => {
      const m = h.driver.chat(ADMIN_ID).find((x) => x.message_id === again.message_id)!;
      buttonData(m, "Yes, it is returned");
      return m;
    });
    const told = nextMessage(h.driver, KANHA, "has been refunded");
    h.driver.clickButton(ADMIN_ID, again.message_id, buttonData(asking, "Yes, it is returned"));
    expect(textOf(await told)).toContain(`25.00 USD of your top-up ${topUp.reference} has been refunded`);
    expect(await h.database.db.refund.findFirstOrThrow({ where: { topUpId: topUp.id } })).toMatchObject({ providerStatus: "RETURNED" });
  });

  it("Credit on a credit that did land on the panel marks it done, sends nothing again, and the customer still gets the receipt", async () => {
    const { topUp, note } = await heldPayment(1600, 1400);
    const credit = await h.database.db.credit.findFirstOrThrow({ where: { topUpId: topUp.id, status: "HELD" } });
    await h.deps.panel.credit("kanha", credit.amountMinor, credit.memo);
    const balance = h.panel.balanceOf("kanha");
    press(ADMIN_ID, note, "Credit");
    const confirm = await eventually(() => {
      const m = inGroup(note.message_id);
      buttonData(m, "Confirm credit");
      return m;
    });
    const receipt = nextMessage(h.driver, KANHA, "Top-up successful", 15_000);
    press(ADMIN_ID, confirm, "Confirm credit");
    expect(textOf(await receipt)).toContain(topUp.reference);
    await eventually(() => expect(textOf(inGroup(note.message_id))).toContain(`Credit #${credit.id} was already on the panel; marked done by @sophea_admin`));
    expect(h.panel.balanceOf("kanha")).toBe(balance);
    expect(await h.database.db.credit.findUniqueOrThrow({ where: { id: credit.id } })).toMatchObject({ status: "DONE" });
  });

  it("refuses button data it did not sign", () => {
    const signer = actionSigner(h.config.bot.token);
    const data = signer.data("C", 42);
    const [, code, id, signature] = /^ha:(\w):(\d+):(.+)$/.exec(data)!;
    expect(signer.verify(code!, id!, signature!)).toBe(true);
    expect(signer.verify(code!, "43", signature!)).toBe(false);
    expect(signer.verify("R", id!, signature!)).toBe(false);
    expect(signer.verify(code!, id!, `${signature!.slice(0, 15)}A`)).toBe(signature!.endsWith("A"));
    expect(actionSigner("another:token").verify(code!, id!, signature!)).toBe(false);
  });

  it("/recredit sends the note it promises once the credit lands", async () => {
    const { topUp } = await heldPayment(1000, 900);
    const landed = nextMessage(h.driver, ADMIN_CHAT, (m) => textOf(m).includes("Released credit #") && textOf(m).includes(topUp.reference), 15_000);
    await say(ADMIN_ID, `/recredit ${topUp.reference} checked`, "queued again");
    expect(textOf(await landed)).toContain("9.00 USD to kanha");
  });
});

describe("deposit bonus", () => {
  it("is on the card before paying (TOPUP_BONUS) and on the receipt when a bonus credit was queued with the payment's credit", async () => {
    const tiers = parseBonusTiers("20:5", "USD");
    if (!tiers.ok) throw new Error(tiers.problem);
    h.config.topup.bonus = tiers.bonus;
    await say(KANHA, "/topup", "How much");
    const card = await say(KANHA, "50", (m) => m.photo !== undefined);
    expect(textOf(card)).toContain("🎁 Deposit bonus: +2.50 USD, credited after this top-up.");
    const topUp = await topUpShownBy(h, card);
    // What the core queues when the payment's credit finishes; HELD here so that only the receipt is under test.
    await h.database.db.credit.create({
      data: { topUpId: topUp.id, panelLogin: "kanha", amountMinor: 250, currency: "USD", memo: `KHQR ${topUp.reference} 0 bonus`, kind: "bonus", status: "HELD", nextAttemptAt: new Date() },
    });
    const receipt = nextMessage(h.driver, KANHA, "Top-up successful", 15_000);
    await h.bakong.pay({ reference: topUp.reference, qr: topUp.qr });
    const text = textOf(await receipt);
    expect(text).toContain("Credited to kanha: 50.00 USD");
    expect(text).toContain("🎁 Deposit bonus: +2.50 USD (credited separately)");
  });
});

describe("daily summary", () => {
  it("goes to the admin chat once per day at DAILY_REPORT_AT, however many schedulers run", async () => {
    const today = new Date();
    const wakeup = createLocalWakeup();
    const scheduler = (hour: number) =>
      createDailyReport({ database: forMerchant(h.database, DEFAULT_MERCHANT_ID), wakeup, adminChats: [BigInt(ADMIN_CHAT)], atMinutes: 0, log: silentLog, now: () => new Date(today.getTime() + hour) });
    const summary = nextMessage(h.driver, ADMIN_CHAT, "Daily summary");
    await Promise.all([scheduler(0).pass(), scheduler(1).pass(), scheduler(2).pass()]);
    const text = textOf(await summary);
    expect(text).toContain("📊 Report");
    expect(text).toContain("Paid by provider:");
    await new Promise((r) => setTimeout(r, 500));
    expect(h.driver.messagesIn(ADMIN_CHAT).filter((m) => textOf(m).includes("Daily summary"))).toHaveLength(1);
    await wakeup.close();
  });
});

describe("admin texts in the admin's language", () => {
  it("answer in Khmer once the admin chose Khmer, and the group's notes follow the first admin", async () => {
    const menu = await say(ADMIN_ID, "/language", /./);
    h.driver.clickButton(ADMIN_ID, menu.message_id, "lang:km");
    await eventually(async () => expect((await h.database.db.user.findUniqueOrThrow({ where: { merchantId_telegramId: { merchantId: DEFAULT_MERCHANT_ID, telegramId: BigInt(ADMIN_ID) } } })).language).toBe("km"));
    const pending = await say(ADMIN_ID, "/pending", /[\u1780-\u17FF]/);
    expect(textOf(pending)).toMatch(/ការបញ្ចូលទឹកប្រាក់ដែលកំពុងបើក|គ្មានអ្វីកំពុងរង់ចាំទេ/);
    const { note } = await heldPayment(1200, 1100);
    expect(textOf(note)).toContain("ការបង់ប្រាក់ត្រូវបានផ្អាក (UNDERPAID)");
    expect(buttons(note).map((b) => b.text)).toEqual(["✅ បញ្ចូល", "↩️ សងវិញ", "🔎 ព័ត៌មានលម្អិត"]);
  });
});
