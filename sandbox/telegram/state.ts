import { EventEmitter } from "node:events";
import type { BotCommand, BotCommandScope, Chat, Message, User, UserFromGetMe } from "grammy/types";
import { badRequest, faultError, forbidden, type ApiError } from "./errors.js";
import { FileStore, type StoredFile } from "./files.js";
import type { SendLimit } from "./send-limit.js";
import { UpdateHub } from "./updates.js";

export interface UserRecord {
  user: User;
  /** Telegram only lets a bot write to users who have written to it first. */
  started: boolean;
  blocked: boolean;
}

export interface StoredMessage {
  /** The message as the Bot API would return it now. */
  message: Message;
  fromBot: boolean;
  /** reply_markup as sent, including reply keyboards (which a returned Message never shows). */
  replyMarkup?: Record<string, unknown>;
  photo?: StoredFile;
  document?: StoredFile;
  edited: boolean;
  deleted: boolean;
}

export interface ChatRecord {
  chat: Chat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** Bots that are group admins see every message despite privacy mode. */
  botIsAdmin: boolean;
  replyKeyboard?: Record<string, unknown>;
}

export interface CallbackAnswer {
  callback_query_id: string;
  message_id: number;
  data: string;
  text?: string;
  show_alert: boolean;
  url?: string;
  cache_time?: number;
}

export interface CallbackRecord {
  id: string;
  userId: number;
  chatId: number;
  messageId: number;
  data: string;
  answer?: CallbackAnswer;
}

export interface CommandsEntry {
  scope: BotCommandScope;
  language_code: string;
  commands: BotCommand[];
}

export interface CallRecord {
  method: string;
  params: Record<string, unknown>;
  files: Array<{ field: string; filename: string; size: number }>;
  at: number;
  status: number;
  description?: string;
}

export type FakeEventType = "update" | "message" | "edit" | "delete" | "callback_answer" | "delivery_failed";

export interface FakeEvent {
  seq: number;
  type: FakeEventType;
  chat_id?: number;
  message_id?: number;
  update_id?: number;
  detail?: string;
}

interface Fault {
  status: number;
  retryAfter: number;
  remaining: number;
}

const EVENT_LOG_SIZE = 1000;

/** Everything one fake bot (one token) knows. */
export class BotState {
  readonly emitter = new EventEmitter();
  readonly users = new Map<number, UserRecord>();
  readonly chats = new Map<number, ChatRecord>();
  readonly files = new FileStore();
  readonly callbacks = new Map<string, CallbackRecord>();
  readonly commands = new Map<string, CommandsEntry>();
  readonly menuButtons = new Map<string, unknown>();
  readonly calls: CallRecord[] = [];
  readonly events: FakeEvent[] = [];
  readonly updates: UpdateHub;
  private readonly faults = new Map<string, Fault[]>();
  /** Off unless a test or benchmark holds the bot to Telegram's per-bot message rate (BotDriver.limitMessagesPerSecond). */
  sendLimit: SendLimit | undefined;
  private seq = 0;

  constructor(
    readonly token: string,
    readonly me: UserFromGetMe,
    dispatch: (method: string, params: Record<string, unknown>) => Promise<void>,
  ) {
    this.emitter.setMaxListeners(0);
    this.updates = new UpdateHub({
      onWebhookReply: dispatch,
      onDeliveryFailed: (update, url, error) =>
        this.emit({ type: "delivery_failed", update_id: update.update_id, detail: `${url}: ${error}` }),
      deliveryAttempts: 4,
      retryDelayMs: 50,
    });
  }

  emit(event: Omit<FakeEvent, "seq">): void {
    const full = { seq: ++this.seq, ...event };
    this.events.push(full);
    if (this.events.length > EVENT_LOG_SIZE) this.events.shift();
    this.emitter.emit("event", full);
  }

  get lastSeq(): number {
    return this.seq;
  }

  botUser(): User {
    const { id, is_bot, first_name, username } = this.me;
    return { id, is_bot, first_name, username };
  }

  privateChat(user: User): ChatRecord {
    let record = this.chats.get(user.id);
    if (!record) {
      const chat = {
        id: user.id,
        type: "private" as const,
        first_name: user.first_name,
        ...(user.last_name ? { last_name: user.last_name } : {}),
        ...(user.username ? { username: user.username } : {}),
      };
      record = { chat, nextMessageId: 1, messages: new Map(), botIsAdmin: false };
      this.chats.set(user.id, record);
    }
    return record;
  }

  /** The chat a bot wants to write to, with Telegram's refusals. */
  writableChat(chatId: unknown): ChatRecord {
    const id = typeof chatId === "number" ? chatId : Number.NaN;
    const user = this.users.get(id);
    if (user?.blocked) throw forbidden("bot was blocked by the user");
    if (user && !user.started) throw forbidden("bot can't initiate conversation with a user");
    const record = this.chats.get(id);
    if (!record) throw badRequest("chat not found");
    return record;
  }

  addMessage(
    record: ChatRecord,
    from: User,
    content: Record<string, unknown>,
    extra: Omit<StoredMessage, "message" | "edited" | "deleted">,
  ): StoredMessage {
    const message = {
      message_id: record.nextMessageId++,
      from,
      chat: record.chat,
      date: Math.floor(Date.now() / 1000),
      ...content,
    } as unknown as Message;
    const stored: StoredMessage = { message, edited: false, deleted: false, ...extra };
    record.messages.set(message.message_id, stored);
    this.emit({ type: "message", chat_id: record.chat.id, message_id: message.message_id });
    return stored;
  }

  addFault(method: string, status: number, retryAfter: number, times: number): void {
    const key = method.toLowerCase();
    this.faults.set(key, [...(this.faults.get(key) ?? []), { status, retryAfter, remaining: times }]);
  }

  takeFault(method: string): ApiError | undefined {
    const key = method.toLowerCase();
    const fault = this.faults.get(key)?.[0];
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.faults.get(key)!.shift();
    return faultError(fault.status, fault.retryAfter);
  }
}
