import type { Message, MessageEntity } from "grammy/types";
import type { StoredFile } from "./files.js";
import type { StoredMessage } from "./state.js";

export interface FileView {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  /** The uploaded bytes; absent when the bot sent a URL or a file_id of a URL. */
  bytes?: Uint8Array;
  url?: string;
}

export interface PhotoView extends FileView {
  width: number;
  height: number;
}

export interface DocumentView extends FileView {
  file_name?: string;
  mime_type?: string;
}

/** A message in a chat as the driver shows it: current state after edits and deletes. */
export interface ChatMessage {
  message_id: number;
  chat_id: number;
  from_bot: boolean;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoView;
  document?: DocumentView;
  /** As the bot sent it, reply keyboards included. */
  reply_markup?: Record<string, unknown>;
  edited: boolean;
  deleted: boolean;
  /** The Message object as the Bot API returns it now. */
  raw: Message;
}

function fileView(file: StoredFile): FileView {
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    ...(file.bytes ? { bytes: file.bytes } : {}),
    ...(file.url ? { url: file.url } : {}),
  };
}

export function viewMessage(stored: StoredMessage): ChatMessage {
  const m = stored.message as Message & Record<string, unknown>;
  const pick = <K extends "edit_date" | "text" | "entities" | "caption" | "caption_entities">(key: K) =>
    m[key] === undefined ? {} : { [key]: m[key] };
  return {
    message_id: m.message_id,
    chat_id: m.chat.id,
    from_bot: stored.fromBot,
    date: m.date,
    ...pick("edit_date"),
    ...pick("text"),
    ...pick("entities"),
    ...pick("caption"),
    ...pick("caption_entities"),
    ...(stored.photo ? { photo: { ...fileView(stored.photo), width: stored.photo.width, height: stored.photo.height } } : {}),
    ...(stored.document
      ? {
          document: {
            ...fileView(stored.document),
            ...(stored.document.file_name ? { file_name: stored.document.file_name } : {}),
            ...(stored.document.mime_type ? { mime_type: stored.document.mime_type } : {}),
          },
        }
      : {}),
    ...(stored.replyMarkup ? { reply_markup: stored.replyMarkup } : {}),
    edited: stored.edited,
    deleted: stored.deleted,
    raw: stored.message,
  };
}

export function describe(message: ChatMessage): string {
  const body = message.text ?? message.caption ?? (message.photo ? "[photo]" : message.document ? "[document]" : "");
  const flags = [message.edited ? "edited" : "", message.deleted ? "deleted" : ""].filter(Boolean).join(",");
  return `#${message.message_id}${flags ? `(${flags})` : ""} ${JSON.stringify(body)}`;
}
