import type { ProviderName } from "../config/config.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { TopUpStatus } from "../ledger/states.js";
import type { StartResult } from "../payments/topups.js";
import type { BotContext } from "./context.js";
import type { FeatureDeps } from "./deps.js";
import { clock, money } from "./format.js";
import { linkButton, newTopUpButton } from "./keyboards/main-menu.js";
import { pendingKeyboard } from "./keyboards/topup.js";
import { currentUser } from "./middlewares/users.js";
import { retireCard, sendPaymentCard, type CardDeps } from "./payment-card.js";

export function cardDeps(deps: FeatureDeps, ctx: BotContext): CardDeps {
  return {
    renderCard: deps.renderCard,
    merchantName: deps.config.topup.merchantName,
    attachMessage: deps.topUps.attachMessage,
    log: deps.log,
    ...(deps.deepLinks ? { deepLinks: deps.deepLinks } : {}),
    callbackUrl: `https://t.me/${ctx.me.username}`,
    bonus: deps.config.topup.bonus,
  };
}

/** Creates the top-up and shows how to pay, or says why not. Payment state stays in the service. */
export async function startTopUp(ctx: BotContext, deps: FeatureDeps, choice: { amountMinor: number; provider: ProviderName }): Promise<void> {
  const user = await currentUser(deps.customers, ctx);
  await showStarted(ctx, deps, choice.provider, await deps.topUps.start({ userId: user.id, chatId: BigInt(ctx.chat!.id), ...choice }));
}

/**
 * The shop's test payment (issue 23), for one of its admins, through its first provider: the smallest amount,
 * whatever TOPUP_MIN says; its receipt is followed by each step's time (delivery.ts).
 */
export async function startTestPayment(ctx: BotContext, deps: FeatureDeps): Promise<void> {
  const user = await currentUser(deps.customers, ctx);
  const provider = deps.config.providers.enabled[0]!;
  const result = await deps.topUps.startTestPayment({ userId: user.id, chatId: BigInt(ctx.chat!.id), provider });
  if (result.ok) await ctx.reply(ctx.t("testpay-intro", { amount: money(result.topUp.amountMinor, result.topUp.currency), login: result.topUp.panelLogin }));
  await showStarted(ctx, deps, provider, result);
  if (result.ok) await deps.topUps.testPaymentShown(result.topUp.id);
}

async function showStarted(ctx: BotContext, deps: FeatureDeps, provider: ProviderName, result: StartResult): Promise<void> {
  if (result.ok) {
    await sendPaymentCard(ctx.api, cardDeps(deps, ctx), ctx.chat!.id, result.topUp, ctx.t, result.payment.deepLink);
    return;
  }
  switch (result.reason) {
    case "pending_exists":
      await offerPending(ctx, result.topUp);
      return;
    case "not_linked":
      await ctx.reply(ctx.t("link-needed"), { reply_markup: linkButton(ctx.t) });
      return;
    case "amount_out_of_range":
      await ctx.reply(ctx.t("amount-error-range", limits(deps)));
      return;
    case "unknown_provider":
      deps.log.error({ provider }, "top-up asked for a provider that is not configured");
      await ctx.reply(ctx.t("topup-unavailable"));
      return;
    case "provider_error":
      // The provider's message is for admins (the service logged it); the customer gets a plain apology.
      deps.log.warn({ provider, kind: result.error.kind }, "top-up not started: provider error");
      await ctx.reply(ctx.t("topup-provider-failed"));
      return;
  }
}

export function limits(deps: Pick<FeatureDeps, "config">): { min: string; max: string } {
  const { minMinor, maxMinor, currency } = deps.config.topup;
  return { min: money(minMinor, currency), max: money(maxMinor, currency) };
}

/** One pending top-up per customer: offer the open one again instead of a second. */
export async function offerPending(ctx: BotContext, topUp: TopUp): Promise<void> {
  await ctx.reply(
    ctx.t("topup-pending-exists", { amount: money(topUp.amountMinor, topUp.currency), reference: topUp.reference, expires: clock(topUp.expiresAt) }),
    { reply_markup: pendingKeyboard(topUp.id, ctx.t) },
  );
}

/** The top-up with this id if it belongs to the sender. */
export async function ownTopUp(ctx: BotContext, deps: FeatureDeps, topUpId: number): Promise<TopUp | null> {
  return deps.topUps.findOwned(topUpId, ctx.from!.id);
}

/** Cancels a pending top-up and takes its QR off the screen. False when it was no longer pending. */
export async function cancelTopUp(ctx: BotContext, deps: FeatureDeps, topUp: TopUp): Promise<boolean> {
  const cancelled = await deps.topUps.cancel(topUp.id);
  if (!cancelled) return false;
  await retireCard(ctx.api, ctx.chat!.id, topUp.messageId, ctx.t("card-retired"));
  await ctx.reply(ctx.t("topup-cancelled", { amount: money(topUp.amountMinor, topUp.currency), reference: topUp.reference }), {
    reply_markup: newTopUpButton(ctx.t),
  });
  return true;
}

export function isPayable(topUp: TopUp, now = new Date()): boolean {
  return topUp.status === TopUpStatus.PENDING && topUp.expiresAt > now;
}
