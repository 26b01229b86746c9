import { GrammyError, type Context } from "grammy";
import type { Translate } from "../bot/i18n.js";

/**
 * The message in `ctx` carries a secret (a token, a key): delete it from the chat and tell the merchant. When
 * Telegram refuses the deletion (too old, no right), ask them to delete it themselves: the secret is accepted all
 * the same. Telegram being unreachable is not a refusal: that error propagates. Returns whether it was deleted.
 */
export async function takeSecretMessage(ctx: Context, t: Translate): Promise<boolean> {
  let deleted = true;
  try {
    await ctx.deleteMessage();
  } catch (err) {
    if (!(err instanceof GrammyError)) throw err;
    deleted = false;
  }
  await ctx.reply(t(deleted ? "onboarding-secret-deleted" : "onboarding-secret-delete-yourself"));
  return deleted;
}
