import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";

/** A command always means "do this instead": it ends whatever conversation was waiting for input. */
export const leaveConversationOnCommand: MiddlewareFn<BotContext> = async (ctx, next) => {
  if (ctx.message?.text?.startsWith("/") && Object.keys(ctx.conversation.active()).length > 0) {
    await ctx.conversation.exitAll();
  }
  await next();
};
