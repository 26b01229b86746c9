import type { Message } from "grammy/types";
import type { BotContext, BotConversation } from "../context.js";
import { CONVERSATION_PREFIX } from "../keyboards/topup.js";

/** Longest a conversation waits for an answer; after that the next message is handled as if none were active. */
export const CONVERSATION_TIMEOUT_MS = 30 * 60_000;
/** Wrong answers before a conversation gives up (each one lengthens every replay). */
export const MAX_TRIES = 8;

/**
 * Every Bot API call of a conversation goes through `external` with the outside context: it runs once
 * (replays read its logged result), it gets the bot's auto-retry and throttler, `ctx.t` speaks the
 * session's language, and a Telegram error cannot hang the conversation (the plugin's open bug with
 * errors thrown by API calls made through a conversation's own context objects).
 */
export async function say(conversation: BotConversation, send: (ctx: BotContext) => Promise<Message | true>): Promise<number | undefined> {
  return conversation.external(async (ctx) => {
    const sent = await send(ctx);
    return sent === true ? undefined : sent.message_id;
  });
}

export type Input = { kind: "text"; text: string } | { kind: "button"; data: string } | { kind: "other" };

/**
 * The next answer: typed text, or a press of one of the conversation's own buttons (answered here).
 * Other buttons (menu, "check" under a card) pass on to the rest of the bot.
 */
export async function nextInput(conversation: BotConversation): Promise<Input> {
  const ctx = await conversation.wait();
  const data = ctx.callbackQuery?.data;
  if (data !== undefined) {
    if (!data.startsWith(CONVERSATION_PREFIX)) await conversation.skip({ next: true });
    await conversation.external((octx) => octx.answerCallbackQuery());
    return { kind: "button", data };
  }
  if (!ctx.message) await conversation.skip();
  const text = ctx.message?.text;
  return text === undefined ? { kind: "other" } : { kind: "text", text: text.trim() };
}

/** Removes the buttons of a prompt once its question is settled. */
export async function clearButtons(conversation: BotConversation, messageId: number | undefined): Promise<void> {
  if (messageId === undefined) return;
  await conversation.external(async (ctx) => {
    await ctx.api.editMessageReplyMarkup(ctx.chat!.id, messageId).catch(() => undefined);
  });
}
