import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { badRequest } from "./errors.js";

const BUTTON_ACTIONS = [
  "url", "callback_data", "web_app", "login_url", "switch_inline_query",
  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
];

/** Validates reply_markup like Telegram does (the checks a bot can trip over). */
export function checkReplyMarkup(markup: unknown, inlineOnly: boolean): Record<string, unknown> | undefined {
  if (markup === undefined) return undefined;
  if (!markup || typeof markup !== "object") throw badRequest("can't parse reply keyboard markup JSON object");
  const m = markup as Record<string, unknown>;
  if ("inline_keyboard" in m) {
    checkInlineKeyboard(m.inline_keyboard);
    return m;
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if ("keyboard" in m) {
    if (!Array.isArray(m.keyboard) || !m.keyboard.every(Array.isArray)) throw badRequest("keyboard must be an Array of Arrays");
    return m;
  }
  if (m.remove_keyboard === true || m.force_reply === true) return m;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function checkInlineKeyboard(rows: unknown): void {
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays");
  }
  for (const button of rows.flat() as Array<Record<string, unknown>>) {
    if (typeof button?.text !== "string" || button.text === "") throw badRequest("BUTTON_TEXT_INVALID");
    if (!BUTTON_ACTIONS.some((key) => key in button)) throw badRequest("text buttons are unallowed in the inline keyboard");
    const data = button.callback_data;
    if (data !== undefined && (typeof data !== "string" || Buffer.byteLength(data) < 1 || Buffer.byteLength(data) > 64)) {
      throw badRequest("BUTTON_DATA_INVALID");
    }
    if (button.url !== undefined && !/^(https?|tg):\/\/\S+$/i.test(String(button.url))) throw badRequest("BUTTON_URL_INVALID");
  }
}

/** The inline keyboard part as it appears on a returned Message (reply keyboards never do). */
export function inlinePart(markup: Record<string, unknown> | undefined): InlineKeyboardMarkup | undefined {
  const rows = markup?.inline_keyboard as InlineKeyboardButton[][] | undefined;
  return rows && rows.length > 0 ? { inline_keyboard: rows } : undefined;
}
