import type { InlineKeyboardButton, MessageEntity } from "grammy/types";
import type { BotDriver, ChatMessage } from "../telegram/index.js";

/** One button of an inline keyboard as the page draws it. */
export interface PageButton {
  text: string;
  /** callback_data: pressing it sends a callback query. */
  data?: string;
  /** A link button (e.g. "Pay in ABA Mobile" to a checkout page). */
  url?: string;
}

/** A chat message as the page draws it: text or caption, its entities, files as same-origin URLs. */
export interface PageMessage {
  id: number;
  fromBot: boolean;
  /** Display name of the sender (group chats show it). */
  from: string;
  date: number;
  edited: boolean;
  text: string;
  entities: MessageEntity[];
  photo?: { url: string; width: number; height: number };
  document?: { url: string; name: string; size: number };
  buttons: PageButton[][];
}

/** Where the page loads a file stored by bot `bot` from; undefined when the bot sent a URL (nothing stored). */
export function fileUrl(view: { file_id: string; bytes?: Uint8Array } | undefined, bot: string): string | undefined {
  return view?.bytes ? `/sandbox/api/files/${encodeURIComponent(view.file_id)}?bot=${encodeURIComponent(bot)}` : undefined;
}

function button(b: InlineKeyboardButton): PageButton {
  if ("callback_data" in b) return { text: b.text, data: b.callback_data };
  if ("url" in b) return { text: b.text, url: b.url };
  return { text: b.text };
}

export function pageMessage(m: ChatMessage, bot: string): PageMessage {
  const raw = m.raw;
  const keyboard = raw.reply_markup?.inline_keyboard ?? [];
  const photoUrl = fileUrl(m.photo, bot);
  const documentUrl = fileUrl(m.document, bot);
  const from = raw.from ? [raw.from.first_name, raw.from.last_name].filter(Boolean).join(" ") : "";
  return {
    id: m.message_id,
    fromBot: m.from_bot,
    from,
    date: m.date,
    edited: m.edited,
    text: m.text ?? m.caption ?? "",
    entities: m.entities ?? m.caption_entities ?? [],
    ...(m.photo && photoUrl ? { photo: { url: photoUrl, width: m.photo.width, height: m.photo.height } } : {}),
    ...(m.document && documentUrl
      ? { document: { url: documentUrl, name: m.document.file_name ?? "file", size: m.document.file_size } }
      : {}),
    buttons: keyboard.map((row) => row.map(button)),
  };
}

/** Every message in the chat that is still there (a deleted one is gone, as in Telegram), oldest first, both sides. */
export function chatMessages(driver: BotDriver, chatId: number, bot: string): PageMessage[] {
  return driver.history(chatId).filter((m) => !m.deleted).map((m) => pageMessage(m, bot));
}
