import { ApiError } from "./errors.js";
import { methods } from "./methods.js";
import type { ApiRequest } from "./params.js";
import type { BotState, CallRecord } from "./state.js";

const CALL_LOG_SIZE = 5000;

export interface ApiReply {
  status: number;
  body: unknown;
}

/** Runs one Bot API call against a bot: fault switches, handler, call log, Telegram-shaped answer. */
export async function callMethod(bot: BotState, method: string, request: ApiRequest, signal: AbortSignal): Promise<ApiReply> {
  const record: CallRecord = {
    method,
    params: request.params,
    files: [...request.files].map(([field, f]) => ({ field, filename: f.filename, size: f.bytes.length })),
    at: Date.now(),
    status: 200,
  };
  bot.calls.push(record);
  if (bot.calls.length > CALL_LOG_SIZE) bot.calls.shift();
  try {
    const handler = methods.get(method.toLowerCase());
    if (!handler) throw new ApiError(404, "Not Found: method not found");
    const fault = bot.takeFault(method) ?? bot.sendLimit?.take(method);
    if (fault) throw fault;
    const result = await handler({ bot, params: request.params, files: request.files, signal });
    return { status: 200, body: { ok: true, result } };
  } catch (caught) {
    if (!(caught instanceof ApiError)) console.error(`fake Telegram: ${method} crashed`, caught);
    const error = caught instanceof ApiError ? caught : new ApiError(500, "Internal Server Error");
    record.status = error.code;
    record.description = error.description;
    return { status: error.code, body: error.toJSON() };
  }
}
