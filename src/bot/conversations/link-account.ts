import { PanelError } from "../../panel/panel-client.js";
import { TEST_PAYMENT_START } from "../../platform/test-payments.js";
import { startTestPayment } from "../topup-actions.js";
import type { BotContext, BotConversation } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { mainMenu } from "../keyboards/main-menu.js";
import { CANCEL_INPUT, cancelInputKeyboard } from "../keyboards/topup.js";
import { currentUser } from "../middlewares/users.js";
import { clearButtons, MAX_TRIES, nextInput, say } from "./steps.js";

export const LINK_CONVERSATION = "link";

const LOGIN = /^\S{1,64}$/;

type LinkOutcome = "linked" | "not_found" | "unavailable";

/**
 * Asks for the panel login until the panel knows it (where the panel can look users up). Linking only
 * confirms that the login exists: its balance is not shown (see features/balance.ts). Entered with
 * TEST_PAYMENT_START (an admin's test payment, features/test-payment.ts), the test payment starts once linked.
 */
export function linkAccountConversation(deps: FeatureDeps) {
  return async function linkAccount(conversation: BotConversation, _ctx: unknown, then?: string): Promise<void> {
    const prompt = await say(conversation, (ctx) => ctx.reply(ctx.t("link-ask"), { reply_markup: cancelInputKeyboard(ctx.t) }));
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const input = await nextInput(conversation);
      if (input.kind === "button") {
        if (input.data !== CANCEL_INPUT) continue;
        await clearButtons(conversation, prompt);
        await say(conversation, (ctx) => ctx.reply(ctx.t("link-stopped"), { reply_markup: mainMenu(ctx.t) }));
        return;
      }
      if (input.kind === "other" || !LOGIN.test(input.text)) {
        await say(conversation, (ctx) => ctx.reply(ctx.t("link-invalid")));
        continue;
      }
      const login = input.text;
      const outcome = await conversation.external((ctx) => linkLogin(ctx, deps, login));
      if (outcome !== "not_found") {
        await clearButtons(conversation, prompt);
        if (outcome === "linked" && then === TEST_PAYMENT_START) await conversation.external((ctx) => startTestPayment(ctx, deps));
        return;
      }
    }
    await clearButtons(conversation, prompt);
    await say(conversation, (ctx) => ctx.reply(ctx.t("link-gave-up"), { reply_markup: mainMenu(ctx.t) }));
  };
}

/** The panel's spelling of a typed login, where the panel can look users up (else the login as typed). */
export async function lookUpLogin(deps: FeatureDeps, typed: string): Promise<{ kind: "found"; login: string } | { kind: "not_found" } | { kind: "unavailable" }> {
  const { panel } = deps;
  if (!panel.capabilities.findUser || !panel.findUser) return { kind: "found", login: typed };
  try {
    const found = await panel.findUser(typed);
    return found ? { kind: "found", login: found.login } : { kind: "not_found" };
  } catch (err) {
    if (!(err instanceof PanelError)) throw err;
    deps.log.warn({ kind: err.kind, msg: err.message }, "panel lookup failed while linking an account");
    return { kind: "unavailable" };
  }
}

async function linkLogin(ctx: BotContext, deps: FeatureDeps, typed: string): Promise<LinkOutcome> {
  const found = await lookUpLogin(deps, typed);
  if (found.kind === "not_found") {
    await ctx.reply(ctx.t("link-not-found", { login: typed }));
    return "not_found";
  }
  if (found.kind === "unavailable") {
    await ctx.reply(ctx.t("link-panel-unavailable"), { reply_markup: mainMenu(ctx.t) });
    return "unavailable";
  }
  const user = await currentUser(deps.customers, ctx);
  await deps.customers.linkLogin(user, found.login);
  await ctx.reply(ctx.t(deps.panel.capabilities.findUser ? "link-done" : "link-done-unchecked", { login: found.login }), { reply_markup: mainMenu(ctx.t) });
  return "linked";
}
