import { Composer } from "grammy";
import { TEST_PAYMENT_START } from "../../platform/test-payments.js";
import type { BotContext } from "../context.js";
import { LINK_CONVERSATION } from "../conversations/link-account.js";
import type { FeatureDeps } from "../deps.js";
import { isAdmin } from "../filters/is-admin.js";
import { money } from "../format.js";
import { currentUser } from "../middlewares/users.js";
import { startTestPayment } from "../topup-actions.js";
import { TEST_PAYMENT_MINOR } from "../../payments/topups.js";

/**
 * `/start testpayment` (the operators' bot's "Make a test payment" button opens it): one of the shop's admins
 * pays the smallest amount into their own panel user, so the whole chain is proved once. An admin whose Telegram
 * account is not linked to a panel user yet is asked for it first (the link conversation), then the test goes on.
 */
export function testPaymentFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admin = isAdmin(deps.config);
  composer.command("start", async (ctx, next) => {
    if (ctx.match.trim() !== TEST_PAYMENT_START) return next();
    await ctx.conversation.exitAll();
    if (!admin(ctx)) return void (await ctx.reply(ctx.t("testpay-admins-only")));
    if (deps.config.providers.enabled.length === 0) return void (await ctx.reply(ctx.t("topup-unavailable")));
    const user = await currentUser(deps.customers, ctx);
    if (!user.panelLogin) {
      const { currency } = deps.config.topup;
      await ctx.reply(ctx.t("testpay-link-first", { amount: money(TEST_PAYMENT_MINOR[currency], currency) }));
      await ctx.conversation.enter(LINK_CONVERSATION, TEST_PAYMENT_START);
      return;
    }
    await startTestPayment(ctx, deps);
  });
  return composer;
}
