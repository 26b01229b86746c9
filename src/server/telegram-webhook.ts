import { BotError, type Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import type { Handler } from "hono";
import type { Logger } from "../logger.js";
import { constantTimeEqual } from "../payments/providers/constant-time.js";

export interface TelegramWebhookOptions {
  /** TELEGRAM_WEBHOOK_SECRET, given to setWebhook as `secret_token`. */
  secretToken: string;
  log: Logger;
}

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * POST /telegram in webhook mode. Telegram redelivers an update on any answer but 2xx, and the handler's
 * side effects would repeat; so a failing handler is dealt with exactly as in polling mode (bot.catch:
 * the log line and the customer's apology) and Telegram still gets 200.
 */
export function telegramWebhook<C extends Context>(bot: Bot<C>, opts: TelegramWebhookOptions): Handler {
  return async (c) => {
    if (!constantTimeEqual(c.req.header(SECRET_HEADER) ?? "", opts.secretToken)) {
      return c.json({ ok: false, error: "wrong secret token" }, 401);
    }
    const update = parseUpdate(await c.req.text());
    if (!update) return c.json({ ok: false, error: "not a Telegram update" }, 400);
    try {
      await bot.handleUpdate(update);
    } catch (err) {
      // Anything but a BotError was thrown before any handler ran (bot not initialised): a redelivery repeats nothing.
      if (!(err instanceof BotError)) throw err;
      try {
        await bot.errorHandler(err as BotError<C>);
      } catch (failure) {
        opts.log.error({ updateId: update.update_id, msg: failure instanceof Error ? failure.message : String(failure) }, "error handler failed");
      }
    }
    return c.body(null, 200);
  };
}

/** An object with a non-negative integer update_id; grammY tolerates whatever else it carries. */
function parseUpdate(body: string): Update | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const id = (value as { update_id?: unknown }).update_id;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (value as Update) : undefined;
}
