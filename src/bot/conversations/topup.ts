import type { Config, ProviderName } from "../../config/config.js";
import { readAmount } from "../amount-input.js";
import type { BotConversation } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { mainMenu } from "../keyboards/main-menu.js";
import { AMOUNT_DATA, amountKeyboard, CANCEL_INPUT, PROVIDER_DATA, providerKeyboard } from "../keyboards/topup.js";
import { limits, startTopUp } from "../topup-actions.js";
import { clearButtons, MAX_TRIES, nextInput, say } from "./steps.js";

export const TOPUP_CONVERSATION = "topup";

/** Collects the amount and, when there is a choice, the provider; then hands over to the top-up service. */
export function topUpConversation(deps: FeatureDeps) {
  const { topup } = deps.config;
  const providers = deps.config.providers.enabled;
  return async function topUp(conversation: BotConversation): Promise<void> {
    const prompt = await say(conversation, (ctx) =>
      ctx.reply(ctx.t("topup-ask-amount", limits(deps)), { reply_markup: amountKeyboard(topup.presetsMinor, topup.currency, ctx.t) }),
    );
    const amountMinor = await askAmount(conversation, topup);
    await clearButtons(conversation, prompt);
    if (amountMinor === null) return;

    const provider = providers.length === 1 ? providers[0]! : await askProvider(conversation, providers);
    if (provider === null) return;
    await conversation.external((ctx) => startTopUp(ctx, deps, { amountMinor, provider }));
  };
}

async function askAmount(conversation: BotConversation, topup: Config["topup"]): Promise<number | null> {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const input = await nextInput(conversation);
    if (input.kind === "button") {
      if (input.data === CANCEL_INPUT) return cancelled(conversation);
      const preset = Number(AMOUNT_DATA.exec(input.data)?.[1]);
      if (topup.presetsMinor.includes(preset)) return preset;
      continue;
    }
    if (input.kind === "other") {
      await say(conversation, (ctx) => ctx.reply(ctx.t("amount-type-it")));
      continue;
    }
    const reading = readAmount(input.text, topup);
    if (reading.ok) return reading.minor;
    await say(conversation, (ctx) => ctx.reply(ctx.t(reading.key, reading.vars)));
  }
  return gaveUp(conversation);
}

async function askProvider(conversation: BotConversation, providers: readonly ProviderName[]): Promise<ProviderName | null> {
  const prompt = await say(conversation, (ctx) => ctx.reply(ctx.t("topup-ask-provider"), { reply_markup: providerKeyboard(providers, ctx.t) }));
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const input = await nextInput(conversation);
    if (input.kind === "button") {
      if (input.data === CANCEL_INPUT) {
        await clearButtons(conversation, prompt);
        return cancelled(conversation);
      }
      const chosen = providers.find((p) => p === PROVIDER_DATA.exec(input.data)?.[1]);
      if (chosen) {
        await clearButtons(conversation, prompt);
        return chosen;
      }
      continue;
    }
    await say(conversation, (ctx) => ctx.reply(ctx.t("topup-use-buttons")));
  }
  await clearButtons(conversation, prompt);
  return gaveUp(conversation);
}

async function cancelled(conversation: BotConversation): Promise<null> {
  await say(conversation, (ctx) => ctx.reply(ctx.t("topup-stopped"), { reply_markup: mainMenu(ctx.t) }));
  return null;
}

async function gaveUp(conversation: BotConversation): Promise<null> {
  await say(conversation, (ctx) => ctx.reply(ctx.t("topup-gave-up"), { reply_markup: mainMenu(ctx.t) }));
  return null;
}
