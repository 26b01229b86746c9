import type { Context, MiddlewareFn } from "grammy";
import type { Logger } from "../../logger.js";

/**
 * One info line per handled update: its id, its kind and how long it took. Nothing the user wrote and no
 * user or chat id (those stay in the database); a failure is logged in full by bot.catch.
 */
export function logUpdates<C extends Context>(log: Logger): MiddlewareFn<C> {
  return async (ctx, next) => {
    const started = performance.now();
    const kind = Object.keys(ctx.update).find((key) => key !== "update_id") ?? "unknown";
    let ok = false;
    try {
      await next();
      ok = true;
    } finally {
      log.info({ updateId: ctx.update.update_id, kind, ok, ms: Math.round(performance.now() - started) }, "update");
    }
  };
}
