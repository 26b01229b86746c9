import type { BotDriver, FakeEvent } from "../../sandbox/telegram/index.js";

/** One message the bot got into a chat of the fake Telegram, stamped when the fake stored it. */
export interface SentMessage {
  chatId: number;
  method: "sendMessage" | "sendPhoto" | "sendDocument";
  /** Date.now() when the fake Telegram stored it (the same clock as the database's timestamps). */
  at: number;
  text: string;
}

/**
 * Listens to the fake Telegram's event stream and keeps every message the bot sent, in order.
 * Read-only: the fake answers the bot exactly as it would without it.
 */
export function recordBotMessages(driver: BotDriver): { messages: SentMessage[]; stop(): void } {
  const messages: SentMessage[] = [];
  const onEvent = (event: FakeEvent) => {
    if (event.type !== "message" || event.chat_id === undefined || event.message_id === undefined) return;
    const stored = driver.state.chats.get(event.chat_id)?.messages.get(event.message_id);
    if (!stored?.fromBot) return;
    const method = stored.photo ? "sendPhoto" : stored.document ? "sendDocument" : "sendMessage";
    const message = stored.message as { text?: string; caption?: string };
    messages.push({ chatId: event.chat_id, method, at: Date.now(), text: message.text ?? message.caption ?? "" });
  };
  driver.state.emitter.on("event", onEvent);
  return { messages, stop: () => driver.state.emitter.off("event", onEvent) };
}
