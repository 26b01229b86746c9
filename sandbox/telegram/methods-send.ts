import type { Message } from "grammy/types";
import { badRequest } from "./errors.js";
import { documentObject, fileInput, type StoredFile } from "./files.js";
import { captionText, messageText } from "./formatting.js";
import { checkReplyMarkup, inlinePart } from "./markup.js";
import type { Handler, MethodContext } from "./method-context.js";
import { bool, int, str } from "./params.js";
import type { ChatRecord } from "./state.js";

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

function send(ctx: MethodContext, content: Record<string, unknown>, files: { photo?: StoredFile; document?: StoredFile }): Message {
  const { bot, params } = ctx;
  const record = bot.writableChat(params.chat_id);
  const markup = checkReplyMarkup(params.reply_markup, false);
  const replyTo = replyTarget(ctx, record);
  const inline = inlinePart(markup);
  const stored = bot.addMessage(record, bot.botUser(), {
    ...content,
    ...(replyTo ? { reply_to_message: replyTo } : {}),
    ...(inline ? { reply_markup: inline } : {}),
  }, { fromBot: true, ...(markup ? { replyMarkup: markup } : {}), ...files });
  if (markup?.keyboard) record.replyKeyboard = markup;
  else if (markup?.remove_keyboard) delete record.replyKeyboard;
  return stored.message;
}

function replyTarget({ params }: MethodContext, record: ChatRecord): Message | undefined {
  const replyParams = (params.reply_parameters ?? {}) as { message_id?: number; allow_sending_without_reply?: boolean };
  const id = replyParams.message_id ?? int(params, "reply_to_message_id");
  if (id === undefined) return undefined;
  const target = record.messages.get(id);
  if (target && !target.deleted) {
    const { reply_to_message: _nested, ...message } = target.message as Message & { reply_to_message?: unknown };
    return message as Message;
  }
  if (replyParams.allow_sending_without_reply || bool(params, "allow_sending_without_reply")) return undefined;
  throw badRequest("message to be replied not found");
}

function caption(ctx: MethodContext): Record<string, unknown> {
  const formatted = captionText(str(ctx.params, "caption"), str(ctx.params, "parse_mode"), ctx.params.caption_entities);
  if (!formatted) return {};
  return { caption: formatted.text, ...(formatted.entities ? { caption_entities: formatted.entities } : {}) };
}

export const sendMethods: Record<string, Handler> = {
  sendMessage(ctx) {
    const { params } = ctx;
    const formatted = messageText(str(params, "text"), str(params, "parse_mode"), params.entities);
    return send(ctx, { text: formatted.text, ...(formatted.entities ? { entities: formatted.entities } : {}) }, {});
  },

  sendPhoto(ctx) {
    ctx.bot.writableChat(ctx.params.chat_id);
    const photo = ctx.bot.files.photo(fileInput(ctx.params.photo, ctx.files, "photo"));
    return send(ctx, { photo: photo.sizes, ...caption(ctx) }, { photo });
  },

  sendDocument(ctx) {
    ctx.bot.writableChat(ctx.params.chat_id);
    const document = ctx.bot.files.document(fileInput(ctx.params.document, ctx.files, "document"));
    return send(ctx, { document: documentObject(document), ...caption(ctx) }, { document });
  },

  sendChatAction({ bot, params }) {
    bot.writableChat(params.chat_id);
    if (!CHAT_ACTIONS.has(str(params, "action") ?? "")) throw badRequest("wrong parameter action in request");
    return true;
  },
};
