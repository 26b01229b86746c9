import type { BotCommand, BotCommandScope } from "grammy/types";
import { badRequest } from "./errors.js";
import { canonical, type Handler } from "./method-context.js";
import { bool, int, str, type Params } from "./params.js";

const commandsKey = (params: Params) => {
  const scope = (params.scope ?? { type: "default" }) as BotCommandScope;
  const language_code = str(params, "language_code") ?? "";
  return { scope, language_code, key: `${canonical(scope)}|${language_code}` };
};

function checkCommands(value: unknown): BotCommand[] {
  if (!Array.isArray(value)) throw badRequest("can't parse commands JSON object");
  if (value.length > 100) throw badRequest("too many commands");
  for (const c of value as Array<Partial<BotCommand>>) {
    if (typeof c.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest("BOT_COMMAND_INVALID");
    if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
  }
  return value as BotCommand[];
}

export const botMethods: Record<string, Handler> = {
  getMe: ({ bot }) => bot.me,

  getUpdates({ bot, params, signal }) {
    const allowed = params.allowed_updates;
    return bot.updates.getUpdates({
      offset: int(params, "offset"),
      limit: int(params, "limit"),
      timeout: int(params, "timeout"),
      allowed_updates: Array.isArray(allowed) ? (allowed as string[]) : undefined,
    }, signal);
  },

  setWebhook({ bot, params }) {
    const url = str(params, "url") ?? "";
    const drop = bool(params, "drop_pending_updates");
    if (url === "") {
      bot.updates.deleteWebhook(drop);
      return true;
    }
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw badRequest("bad webhook: invalid webhook URL");
    const secret = str(params, "secret_token");
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw badRequest("bad webhook: secret token contains unallowed characters");
    }
    const allowed = params.allowed_updates;
    bot.updates.setWebhook({
      url,
      ...(secret ? { secret_token: secret } : {}),
      max_connections: int(params, "max_connections") ?? 40,
      ...(Array.isArray(allowed) ? { allowed_updates: allowed as string[] } : {}),
    }, drop);
    return true;
  },

  deleteWebhook({ bot, params }) {
    bot.updates.deleteWebhook(bool(params, "drop_pending_updates"));
    return true;
  },

  getWebhookInfo: ({ bot }) => bot.updates.info(),

  setMyCommands({ bot, params }) {
    const commands = checkCommands(params.commands);
    const { scope, language_code, key } = commandsKey(params);
    if (commands.length === 0) bot.commands.delete(key);
    else bot.commands.set(key, { scope, language_code, commands });
    return true;
  },

  getMyCommands: ({ bot, params }) => bot.commands.get(commandsKey(params).key)?.commands ?? [],

  deleteMyCommands({ bot, params }) {
    bot.commands.delete(commandsKey(params).key);
    return true;
  },

  answerCallbackQuery({ bot, params }) {
    const id = str(params, "callback_query_id") ?? "";
    const query = bot.callbacks.get(id);
    if (!query || query.answer) throw badRequest("query is too old and response timeout expired or query ID is invalid");
    const text = str(params, "text");
    const url = str(params, "url");
    const cacheTime = int(params, "cache_time");
    query.answer = {
      callback_query_id: id,
      message_id: query.messageId,
      data: query.data,
      show_alert: bool(params, "show_alert"),
      ...(text !== undefined ? { text } : {}),
      ...(url !== undefined ? { url } : {}),
      ...(cacheTime !== undefined ? { cache_time: cacheTime } : {}),
    };
    bot.emit({ type: "callback_answer", chat_id: query.chatId, message_id: query.messageId, detail: id });
    return true;
  },

  setChatMenuButton({ bot, params }) {
    const chatId = int(params, "chat_id");
    if (chatId !== undefined && !bot.chats.has(chatId)) throw badRequest("chat not found");
    bot.menuButtons.set(String(chatId ?? "default"), params.menu_button ?? { type: "default" });
    return true;
  },

  getChatMenuButton: ({ bot, params }) =>
    bot.menuButtons.get(String(int(params, "chat_id") ?? "default")) ?? bot.menuButtons.get("default") ?? { type: "commands" },

  getChat({ bot, params }) {
    const record = typeof params.chat_id === "number" ? bot.chats.get(params.chat_id) : undefined;
    if (!record) throw badRequest("chat not found");
    return { ...record.chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
  },
};
