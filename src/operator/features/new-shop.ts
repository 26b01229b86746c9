import { Composer, InlineKeyboard } from "grammy";
import { negotiateLocale, translator } from "../../bot/i18n.js";
import type { OnboardingReply, OnboardingTurn } from "../../onboarding/flow.js";
import { takeSecretMessage } from "../../onboarding/secret-message.js";
import type { OnboardingState } from "../../onboarding/state.js";
import type { OperatorContext, OperatorDeps } from "../context.js";
import { typedSecretMask } from "../typed-secrets.js";
import { askOperatorsToApprove } from "./approval.js";

/** Telegram's limit on a button's callback_data. */
const CALLBACK_DATA_MAX_BYTES = 64;

/** A button's answer with the step it answers: a press on an older question's button is not taken as this one's answer. */
export function answerCallbackData(step: string, answer: string): string {
  const data = `ob:${step}:${answer}`;
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) throw new Error(`onboarding button "${answer}" at ${step}: callback data over ${CALLBACK_DATA_MAX_BYTES} bytes`);
  return data;
}

/**
 * `/newshop` for anyone in a private chat: the onboarding conversation (src/onboarding), its state in the chat's
 * session. Each text (and each button press) answers the current step; a secret's message is deleted first.
 * `/cancel` drops the draft. On submit the operators are asked to approve the shop.
 */
export function newShopFeature(deps: OperatorDeps): Composer<OperatorContext> {
  const composer = new Composer<OperatorContext>();
  const maskTyped = typedSecretMask(deps.log);

  async function send(ctx: OperatorContext, step: string | undefined, replies: readonly OnboardingReply[]) {
    for (const reply of replies) {
      const keyboard = step && reply.buttons ? InlineKeyboard.from(reply.buttons.map((b) => [InlineKeyboard.text(b.text, answerCallbackData(step, b.answer))])) : undefined;
      await ctx.reply(reply.text, keyboard ? { reply_markup: keyboard } : {});
    }
  }

  async function answer(ctx: OperatorContext, state: OnboardingState, text: string) {
    const turn: OnboardingTurn = await deps.onboarding.answer(state, text);
    ctx.session.onboarding = turn.state;
    await send(ctx, turn.state?.step, turn.replies);
    if (turn.submitted) await askOperatorsToApprove(ctx.api, deps, turn.submitted, state);
  }

  composer.command("newshop", async (ctx) => {
    const turn = deps.onboarding.start({ id: ctx.from!.id, locale: negotiateLocale({ from: ctx.from }) });
    ctx.session.onboarding = turn.state;
    await send(ctx, turn.state?.step, turn.replies);
  });

  composer.command("cancel", async (ctx) => {
    const drafting = ctx.session.onboarding !== undefined;
    delete ctx.session.onboarding;
    await ctx.reply(ctx.t(drafting ? "operator-newshop-cancelled" : "operator-newshop-nothing"));
  });

  composer.on("message:text", async (ctx, next) => {
    const state = ctx.session.onboarding;
    if (!state || ctx.msg.text.startsWith("/")) return next();
    if (deps.onboarding.expectsSecret(state)) {
      maskTyped(ctx.msg.text);
      await takeSecretMessage(ctx, translator(state.locale));
    }
    await answer(ctx, state, ctx.msg.text);
  });

  composer.callbackQuery(/^ob:([a-z_]+):(.+)$/, async (ctx) => {
    const state = ctx.session.onboarding;
    if (!state || state.step !== ctx.match[1]) return ctx.answerCallbackQuery({ text: ctx.t("operator-newshop-stale") });
    await ctx.answerCallbackQuery();
    await answer(ctx, state, ctx.match[2]!);
  });
  return composer;
}
