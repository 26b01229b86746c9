import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { mainMenu } from "../keyboards/main-menu.js";

/** Last in the chain. Admin commands sent by anyone else end here too, answered like any unknown command. */
export function unhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-expired") }));
  composer.on("message", (ctx) =>
    ctx.reply(ctx.t(ctx.message.text?.startsWith("/") ? "unknown-command" : "unhandled"), { reply_markup: mainMenu(ctx.t) }),
  );
  return composer;
}
