import { randomInt } from "node:crypto";
import type { Chat, Message, Update, User, UserFromGetMe, WebhookInfo } from "grammy/types";
import { commandEntities } from "./formatting.js";
import type { StoredFile } from "./files.js";
import { SendLimit } from "./send-limit.js";
import type { NewUpdate } from "./updates.js";
import type { BotState, CallbackAnswer, CallRecord, ChatRecord, CommandsEntry, FakeEvent } from "./state.js";
import { describe, viewMessage, type ChatMessage } from "./view.js";

export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface FakeGroup {
  id: number;
  title?: string;
  /** Admin bots see every group message; others only commands and replies to them (privacy mode). */
  botIsAdmin?: boolean;
}

export interface UpdateOptions {
  /** POST this update to this URL instead of the webhook / getUpdates queue. */
  deliverTo?: string;
}

export interface MessageOptions extends UpdateOptions {
  /** message_id in the same chat that the user replies to. */
  replyTo?: number;
}

export interface ClickOptions extends UpdateOptions {
  /** Chat that holds the message; defaults to the user's private chat. */
  chatId?: number;
}

/** Plays the Telegram users of one fake bot, and inspects what the bot did. */
export class BotDriver {
  constructor(readonly state: BotState) {}

  get token(): string {
    return this.state.token;
  }

  get me(): UserFromGetMe {
    return this.state.me;
  }

  addUser(fake: FakeUser): User {
    const user: User = { is_bot: false, ...fake };
    const existing = this.state.users.get(user.id);
    this.state.users.set(user.id, { user, started: existing?.started ?? false, blocked: existing?.blocked ?? false });
    return user;
  }

  addGroup(group: FakeGroup): Chat {
    const supergroup = group.id <= -1_000_000_000_000;
    const chat = { id: group.id, type: supergroup ? "supergroup" : "group", title: group.title ?? `Group ${group.id}` } as Chat;
    const existing = this.state.chats.get(group.id);
    if (existing) existing.botIsAdmin = group.botIsAdmin ?? existing.botIsAdmin;
    else this.state.chats.set(group.id, { chat, nextMessageId: 1, messages: new Map(), botIsAdmin: group.botIsAdmin ?? false });
    return this.state.chats.get(group.id)!.chat;
  }

  /** The user blocks (or unblocks) the bot: sends to them fail with 403 like on Telegram. */
  blockBot(userId: number, blocked = true): void {
    this.userRecord(userId).blocked = blocked;
  }

  /** The user writes to the bot in private; a leading /command gets its bot_command entity. */
  sendText(userId: number, text: string, options: MessageOptions = {}): Update {
    const record = this.userRecord(userId);
    record.started = true;
    record.blocked = false; // writing to a blocked bot means pressing "Restart" on Telegram
    const message = this.userMessage(this.state.privateChat(record.user), record.user, text, options.replyTo);
    return this.push({ message } as NewUpdate, options);
  }

  /**
   * A user in a group writes `text`. Returns undefined when privacy mode means Telegram would
   * not give the message to the bot (not a command and not a reply to the bot, bot not admin).
   */
  sendToGroup(chatId: number, userId: number, text: string, options: MessageOptions = {}): Update | undefined {
    const user = this.userRecord(userId).user;
    if (!this.state.chats.has(chatId)) this.addGroup({ id: chatId });
    const record = this.state.chats.get(chatId)!;
    if (record.chat.type === "private") throw new Error(`chat ${chatId} is a private chat; use sendText`);
    const message = this.userMessage(record, user, text, options.replyTo);
    const command = /^\/[A-Za-z0-9_]+(?:@(\w+))?/.exec(text);
    const forMe = command && (!command[1] || command[1].toLowerCase() === this.me.username.toLowerCase());
    const replyToBot = options.replyTo !== undefined && record.messages.get(options.replyTo)?.fromBot === true;
    const visible = record.botIsAdmin || this.me.can_read_all_group_messages || forMe || replyToBot;
    return visible ? this.push({ message } as NewUpdate, options) : undefined;
  }

  /** The user presses the inline button with this callback_data on a bot message. */
  clickButton(userId: number, messageId: number, callbackData: string, options: ClickOptions = {}): Update {
    const user = this.userRecord(userId).user;
    const chatId = options.chatId ?? userId;
    const stored = this.state.chats.get(chatId)?.messages.get(messageId);
    if (!stored || stored.deleted || !stored.fromBot) throw new Error(`no bot message ${messageId} in chat ${chatId}`);
    const rows = ((stored.message as Message).reply_markup?.inline_keyboard ?? []).flat();
    if (!rows.some((b) => "callback_data" in b && b.callback_data === callbackData)) {
      const available = rows.flatMap((b) => ("callback_data" in b ? [b.callback_data] : []));
      throw new Error(`message ${messageId} has no button "${callbackData}"; it has ${JSON.stringify(available)}`);
    }
    const id = `${randomInt(1, 2 ** 47)}${randomInt(0, 1_000_000)}`;
    this.state.callbacks.set(id, { id, userId, chatId, messageId, data: callbackData });
    return this.push({
      callback_query: {
        id,
        from: user,
        message: stored.message,
        chat_instance: String(BigInt(chatId) * 7_919n),
        data: callbackData,
      },
    } as NewUpdate, options);
  }

  /** The bot's messages in a private chat (chat id = user id), deleted and edited ones included. */
  chat(userId: number): ChatMessage[] {
    return this.messagesIn(userId);
  }

  /** The bot's messages in any chat, e.g. an admin group. */
  messagesIn(chatId: number): ChatMessage[] {
    return this.history(chatId).filter((m) => m.from_bot);
  }

  /** Every message in a chat, the users' own included (from_bot tells them apart). */
  history(chatId: number): ChatMessage[] {
    return [...(this.state.chats.get(chatId)?.messages.values() ?? [])].map(viewMessage);
  }

  /** The bot's newest message in the chat that is not deleted. */
  lastMessage(chatId: number): ChatMessage | undefined {
    return this.messagesIn(chatId).filter((m) => !m.deleted).at(-1);
  }

  /** First bot message in the chat (oldest first, current state) that matches, waiting for changes. */
  waitFor(chatId: number, predicate: (message: ChatMessage) => boolean, timeoutMs = 5000): Promise<ChatMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        try {
          const found = this.messagesIn(chatId).find(predicate);
          if (found) finish(() => resolve(found));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      const onEvent = (event: FakeEvent) => {
        if (event.chat_id === chatId) check();
      };
      const timer = setTimeout(() => {
        const seen = this.messagesIn(chatId).map(describe).join("; ") || "none";
        finish(() => reject(new Error(`waitFor(chat ${chatId}) timed out after ${timeoutMs} ms; bot messages: ${seen}`)));
      }, timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.state.emitter.off("event", onEvent);
        settle();
      };
      this.state.emitter.on("event", onEvent);
      check();
    });
  }

  /** The bot's answerCallbackQuery calls for this user's button presses. */
  callbackAnswers(userId: number): CallbackAnswer[] {
    return [...this.state.callbacks.values()].filter((q) => q.userId === userId && q.answer).map((q) => q.answer!);
  }

  /** What setMyCommands stored, one entry per scope and language_code. */
  commands(): CommandsEntry[] {
    return [...this.state.commands.values()];
  }

  /** The reply keyboard the user currently sees in a chat, if any. */
  keyboard(chatId: number): Record<string, unknown> | undefined {
    return this.state.chats.get(chatId)?.replyKeyboard;
  }

  /** The next `times` calls of `method` fail with `status` (429 carries retry_after seconds). */
  failNext(method: string, status: number, retryAfter = 1, times = 1): void {
    this.state.addFault(method, status, retryAfter, times);
  }

  /**
   * Holds the bot to Telegram's per-bot limit: at most `perSecond` messages (sendMessage, sendPhoto,
   * sendDocument) in any second, more answered 429 with retry_after; `undefined` lifts it (the default).
   */
  limitMessagesPerSecond(perSecond: number | undefined): void {
    this.state.sendLimit = perSecond === undefined ? undefined : new SendLimit(perSecond);
  }

  /** Log of Bot API calls (method name matched case-insensitively), oldest first. */
  calls(method?: string): CallRecord[] {
    return method ? this.state.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()) : [...this.state.calls];
  }

  webhookInfo(): WebhookInfo {
    return this.state.updates.info();
  }

  /** Waits until every webhook delivery started so far has been answered (or given up). */
  flush(): Promise<void> {
    return this.state.updates.flush();
  }

  file(fileId: string): StoredFile | undefined {
    return this.state.files.get(fileId);
  }

  /** Events after `afterSeq`; waits up to `timeoutMs` for one when there are none yet. */
  nextEvents(afterSeq: number, timeoutMs: number): Promise<FakeEvent[]> {
    const pending = () => this.state.events.filter((e) => e.seq > afterSeq);
    if (pending().length > 0 || timeoutMs <= 0) return Promise.resolve(pending());
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.state.emitter.off("event", done);
        resolve(pending());
      };
      const timer = setTimeout(done, timeoutMs);
      this.state.emitter.on("event", done);
    });
  }

  private userRecord(userId: number) {
    const record = this.state.users.get(userId);
    if (!record) throw new Error(`unknown user ${userId}: call addUser first`);
    return record;
  }

  private userMessage(record: ChatRecord, user: User, text: string, replyTo: number | undefined): Message {
    const entities = commandEntities(text);
    const target = replyTo === undefined ? undefined : record.messages.get(replyTo);
    if (replyTo !== undefined && (!target || target.deleted)) throw new Error(`no message ${replyTo} to reply to in chat ${record.chat.id}`);
    return this.state.addMessage(record, user, {
      text,
      ...(entities.length > 0 ? { entities } : {}),
      ...(target ? { reply_to_message: target.message } : {}),
    }, { fromBot: false }).message;
  }

  private push(fields: NewUpdate, options: UpdateOptions): Update {
    const update = this.state.updates.push(fields, options.deliverTo);
    this.state.emit({ type: "update", update_id: update.update_id });
    return update;
  }
}
