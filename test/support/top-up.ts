import type { Database } from "../../src/db/database.js";
import type { BotDriver, ChatMessage } from "../../sandbox/telegram/index.js";
import { nextMessage, textOf } from "../bot/harness.js";
import { eventually } from "./core.js";

const isCardOrChoice = (m: ChatMessage) => m.photo !== undefined || textOf(m).includes("How would you like to pay?");

/** Starts waiting for the bot's next matching message in the chat, then acts. */
function reply(bot: BotDriver, chatId: number, action: () => unknown, match: Parameters<typeof nextMessage>[2], timeoutMs = 15_000): Promise<ChatMessage> {
  const waiting = nextMessage(bot, chatId, match, timeoutMs);
  action();
  return waiting;
}

/**
 * A customer's first top-up of 5.00 through a shop's bot: /start, links `login` (a SocPanel cannot confirm it, a PerfectPanel does), the first preset amount, `provider`
 * if the bot asks how to pay; the top-up behind the KHQR card it shows.
 */
export async function topUpThrough(
  bot: BotDriver,
  chatId: number,
  login: string,
  provider: string,
  database: Database,
) {
  const greeting = await reply(bot, chatId, () => bot.sendText(chatId, "/start"), "Hello");
  await reply(bot, chatId, () => bot.clickButton(chatId, greeting.message_id, "menu:link"), "username (login)");
  const linked = await reply(bot, chatId, () => bot.sendText(chatId, login), new RegExp(`Linked to (the panel account )?${login}\\b`));
  const amount = await reply(bot, chatId, () => bot.clickButton(chatId, linked.message_id, "menu:topup"), "How much");
  let card = await reply(bot, chatId, () => bot.clickButton(chatId, amount.message_id, "c:amt:500"), isCardOrChoice);
  if (card.photo === undefined) card = await reply(bot, chatId, () => bot.clickButton(chatId, card.message_id, `c:prov:${provider}`), (m) => m.photo !== undefined);
  return eventually(() => database.db.topUp.findFirst({ where: { chatId: BigInt(chatId), messageId: card.message_id } }), "the card's top-up");
}
