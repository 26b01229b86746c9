import type { Message } from "grammy/types";
import { badRequest } from "./errors.js";
import { documentObject, fileInput, type StoredFile } from "./files.js";
import { captionText, messageText } from "./formatting.js";
import { checkReplyMarkup, inlinePart } from "./markup.js";
import { canonical, type Handler, type MethodContext } from "./method-context.js";
import { requireInt, str } from "./params.js";
import type { StoredMessage } from "./state.js";

const CONTENT_KEYS = ["text", "entities", "caption", "caption_entities", "photo", "document", "reply_markup"] as const;
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function target({ bot, params }: MethodContext): StoredMessage {
  if (params.inline_message_id !== undefined) throw badRequest("inline messages are not supported by the fake Bot API");
  const record = typeof params.chat_id === "number" ? bot.chats.get(params.chat_id) : undefined;
  if (!record) throw badRequest("chat not found");
  const stored = record.messages.get(requireInt(params, "message_id"));
  if (!stored || stored.deleted) throw badRequest("message to edit not found");
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return stored;
}

/** Content that identifies "the same message" (file_unique_id, not the per-send file_id). */
function comparable(message: Message): string {
  const m = message as unknown as Record<string, unknown>;
  const photo = m.photo as Array<{ file_unique_id: string }> | undefined;
  const document = m.document as { file_unique_id: string } | undefined;
  return canonical({
    ...Object.fromEntries(CONTENT_KEYS.map((k) => [k, m[k]])),
    photo: photo?.at(-1)?.file_unique_id,
    document: document?.file_unique_id,
  });
}

// Telegram replaces the inline keyboard on every edit: an edit without reply_markup removes it.
function applyEdit(
  ctx: MethodContext,
  stored: StoredMessage,
  replaces: string[],
  content: Record<string, unknown>,
  files?: { photo?: StoredFile; document?: StoredFile },
): Message {
  const markup = checkReplyMarkup(ctx.params.reply_markup, true);
  const dropped = new Set([...replaces, "reply_markup"]);
  const base = Object.fromEntries(Object.entries(stored.message).filter(([k]) => !dropped.has(k)));
  const inline = inlinePart(markup);
  const next = { ...base, ...content, ...(inline ? { reply_markup: inline } : {}) } as unknown as Message;
  if (comparable(next) === comparable(stored.message)) throw badRequest(NOT_MODIFIED);
  stored.message = { ...next, edit_date: Math.floor(Date.now() / 1000) } as Message;
  stored.edited = true;
  if (markup) stored.replyMarkup = markup;
  else delete stored.replyMarkup;
  if (files) {
    delete stored.photo;
    delete stored.document;
    Object.assign(stored, files);
  }
  ctx.bot.emit({ type: "edit", chat_id: stored.message.chat.id, message_id: stored.message.message_id });
  return stored.message;
}

function captionContent(raw: string | undefined, parseMode: string | undefined, entities: unknown): Record<string, unknown> {
  const formatted = captionText(raw, parseMode, entities);
  if (!formatted) return {};
  return { caption: formatted.text, ...(formatted.entities ? { caption_entities: formatted.entities } : {}) };
}

const MEDIA_KEYS = ["photo", "document", "caption", "caption_entities"];
const hasMedia = (stored: StoredMessage) => "photo" in stored.message || "document" in stored.message;

export const editMethods: Record<string, Handler> = {
  editMessageText(ctx) {
    const stored = target(ctx);
    if (!("text" in stored.message)) throw badRequest("there is no text in the message to edit");
    const formatted = messageText(str(ctx.params, "text"), str(ctx.params, "parse_mode"), ctx.params.entities);
    return applyEdit(ctx, stored, ["text", "entities"], { text: formatted.text, ...(formatted.entities ? { entities: formatted.entities } : {}) });
  },

  editMessageCaption(ctx) {
    const stored = target(ctx);
    if (!hasMedia(stored)) throw badRequest("there is no caption in the message to edit");
    const content = captionContent(str(ctx.params, "caption"), str(ctx.params, "parse_mode"), ctx.params.caption_entities);
    return applyEdit(ctx, stored, ["caption", "caption_entities"], content);
  },

  editMessageMedia(ctx) {
    const stored = target(ctx);
    if (!hasMedia(stored)) throw badRequest("there is no media in the message to edit");
    const media = ctx.params.media as Record<string, unknown> | undefined;
    if (!media || typeof media !== "object") throw badRequest("can't parse InputMedia JSON object");
    const caption = captionContent(media.caption as string | undefined, media.parse_mode as string | undefined, media.caption_entities);
    const input = fileInput(media.media, ctx.files, "media");
    if (media.type === "photo") {
      const photo = ctx.bot.files.photo(input);
      return applyEdit(ctx, stored, MEDIA_KEYS, { photo: photo.sizes, ...caption }, { photo });
    }
    if (media.type === "document") {
      const document = ctx.bot.files.document(input);
      return applyEdit(ctx, stored, MEDIA_KEYS, { document: documentObject(document), ...caption }, { document });
    }
    throw badRequest(`media type "${String(media.type)}" is not supported by the fake Bot API`);
  },

  editMessageReplyMarkup(ctx) {
    return applyEdit(ctx, target(ctx), [], {});
  },

  deleteMessage({ bot, params }) {
    const record = typeof params.chat_id === "number" ? bot.chats.get(params.chat_id) : undefined;
    if (!record) throw badRequest("chat not found");
    const stored = record.messages.get(requireInt(params, "message_id"));
    if (!stored || stored.deleted) throw badRequest("message to delete not found");
    stored.deleted = true;
    bot.emit({ type: "delete", chat_id: record.chat.id, message_id: stored.message.message_id });
    return true;
  },
};
