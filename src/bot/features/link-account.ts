import { Composer } from "grammy";
import { LINK_CONVERSATION } from "../conversations/link-account.js";
import type { BotContext } from "../context.js";
import { MENU } from "../keyboards/main-menu.js";

export function linkAccountFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const enter = async (ctx: BotContext) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(LINK_CONVERSATION);
  };
  composer.command("link", enter);
  composer.callbackQuery(MENU.link, async (ctx) => {
    await ctx.answerCallbackQuery();
    await enter(ctx);
  });
  return composer;
}
