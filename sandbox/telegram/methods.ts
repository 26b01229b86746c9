import type { Handler } from "./method-context.js";
import { botMethods } from "./methods-bot.js";
import { editMethods } from "./methods-edit.js";
import { sendMethods } from "./methods-send.js";

/** Bot API methods by lower-cased name (Telegram matches method names case-insensitively). */
export const methods: ReadonlyMap<string, Handler> = new Map(
  Object.entries({ ...botMethods, ...sendMethods, ...editMethods }).map(([name, handler]) => [name.toLowerCase(), handler]),
);
