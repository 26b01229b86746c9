import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../src/bot/i18n.js";
import { takeSecretMessage } from "../../src/onboarding/secret-message.js";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { fakeBotToken } from "../support/bot-token.js";

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await createFakeTelegram();
});
afterAll(async () => {
  await fake?.close();
});

/** The operator's bot taking a secret: the merchant's message, what the bot did with it, and its reply. */
async function sendSecret(botId: number, locale: "en" | "km", refuseDeletion: boolean) {
  const driver = fake.bot(fakeBotToken(botId, "secret-message"), { username: `platform_${botId}_bot` });
  const merchant = { id: botId + 1, first_name: "Sokha", language_code: locale };
  driver.addUser(merchant);
  if (refuseDeletion) driver.failNext("deleteMessage", 400);
  const bot = new Bot(driver.token, { client: { apiRoot: fake.url }, botInfo: driver.me });
  const accepted: string[] = [];
  bot.on("message:text", async (ctx) => {
    await takeSecretMessage(ctx, translator(locale));
    accepted.push(ctx.message.text);
  });
  const secret = fakeBotToken(9_100_000_000 + botId, "the-merchants-own-bot");
  const update = driver.sendText(merchant.id, secret);
  await bot.handleUpdate(update);
  const sent = driver.history(merchant.id).find((m) => m.message_id === update.message!.message_id)!;
  return { chat: driver.chat(merchant.id), secret, accepted, sent };
}

describe.each(["en", "km"] as const)("a message carrying a secret (%s)", (locale) => {
  const t = translator(locale);

  it("is deleted, the merchant is told so, and the secret is taken", async () => {
    const { chat, secret, accepted, sent } = await sendSecret(locale === "en" ? 8_100_001 : 8_100_002, locale, false);
    expect(sent.deleted).toBe(true);
    expect(accepted).toEqual([secret]);
    const replies = chat.map((m) => m.text);
    expect(replies).toEqual([t("onboarding-secret-deleted")]);
    expect(replies.join("\n")).not.toContain(secret);
  });

  it("when Telegram refuses to delete it, the merchant is asked to delete it and the secret is still taken", async () => {
    const { chat, secret, accepted, sent } = await sendSecret(locale === "en" ? 8_100_003 : 8_100_004, locale, true);
    expect(sent.deleted).toBe(false);
    expect(accepted).toEqual([secret]);
    const replies = chat.map((m) => m.text);
    expect(replies).toEqual([t("onboarding-secret-delete-yourself")]);
    if (locale === "km") expect(replies[0]).toMatch(/[\u1780-\u17FF]/);
  });
});
