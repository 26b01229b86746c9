import { translator, type Locale, type Translate } from "../bot/i18n.js";
import { ConfigError, PANEL_TYPES, PROVIDER_NAMES } from "../config/config.js";
import { MERCHANT_VARIABLES } from "../config/variable-scopes.js";
import type { Logger } from "../logger.js";
import { addMerchant, type AddedMerchant, type MerchantAdmin } from "../platform/add-merchant.js";
import { BotApiError } from "../platform/bot-api.js";
import { MerchantRefusal } from "../platform/merchant-store.js";
import { SealError } from "../platform/sealed.js";
import {
  answerAdminChat, answerBotToken, answerPanelKey, answerPanelType, answerPanelUrl, answerPaymentMethod, answerProviderCredentials,
  answerProviders, answerShopName, parseCredentials, providerVariables, type AnswerDeps, type Verdict,
} from "./answers.js";
import { invalidAnswer } from "./check-message.js";
import { draftSecrets } from "./draft-secrets.js";
import { STEPS, type OnboardingState, type OnboardingStep } from "./state.js";

/** A message to the merchant; a button sends its `answer` as if typed (the operator bot maps its callback to answer()). */
export interface OnboardingReply {
  text: string;
  buttons?: { text: string; answer: string }[];
}

export interface OnboardingTurn {
  /** What to keep in conversation storage for the next message; undefined once the shop is submitted. */
  state: OnboardingState | undefined;
  replies: OnboardingReply[];
  /** The shop just stored, pending: the operator bot asks an operator to approve it (approveMerchant). */
  submitted?: AddedMerchant;
}

export interface Onboarding {
  /** `/newshop`: a new draft for this Telegram user, and the first question. */
  start(user: { id: number; locale: Locale }): OnboardingTurn;
  /** Whether this step's answer is a secret: delete its message (takeSecretMessage) before answer(). */
  expectsSecret(state: OnboardingState): boolean;
  /** Checks the answer to the current step: the next question when it passed, the same one again when not. */
  answer(state: OnboardingState, text: string): Promise<OnboardingTurn>;
}

export interface OnboardingDeps extends MerchantAdmin {
  log: Logger;
  /** Each outside call of a check gives up after this (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

const SECRET_STEPS: ReadonlySet<OnboardingStep> = new Set(["bot_token", "panel_key", "provider_credentials"]);
const DEFAULT_PAYMENT_METHOD = "KHQR";
const SUBMIT = "submit";
const RESTART = "restart";
/** A platform merchant's name: its bot's username, as the CLI's names are written (a-z, 0-9, _ and -). */
const merchantName = (username: string) => username.toLowerCase().replace(/[^a-z0-9_-]/g, "-").slice(0, 40);

/**
 * Onboarding by chat, without the chat: each answer is validated as start-up validates a shop and checked with the
 * self-check's own call to the party it names (one implementation), and only an answer that passed enters the
 * draft. The confirmed draft is stored through addMerchant, as the CLI's `merchant add` does, but pending.
 */
export function createOnboarding(deps: OnboardingDeps): Onboarding {
  const sealer = draftSecrets(deps.settings.masterKey);
  const answerDeps: AnswerDeps = { processEnv: deps.processEnv, store: deps.store, log: deps.log, timeoutMs: deps.timeoutMs ?? 10_000, now: deps.now ?? Date.now };
  const isSecret = (name: string) => MERCHANT_VARIABLES[name]?.secret ?? true;

  const openVars = (s: OnboardingState) => Object.fromEntries(Object.entries(s.vars).map(([n, v]) => [n, isSecret(n) ? sealer.open(s.userId, n, v) : v]));
  const sealVars = (s: OnboardingState, set: Record<string, string>) => Object.fromEntries(Object.entries(set).map(([n, v]) => [n, isSecret(n) ? sealer.seal(s.userId, n, v) : v]));

  function ask(s: OnboardingState, t: Translate): OnboardingReply {
    switch (s.step) {
      case "bot_token": return { text: t("onboarding-ask-bot-token") };
      case "panel_type": return { text: t("onboarding-ask-panel-type"), buttons: PANEL_TYPES.map((p) => ({ text: p, answer: p })) };
      case "panel_url": return { text: t("onboarding-ask-panel-url") };
      case "panel_key": return { text: t("onboarding-ask-panel-key") };
      case "payment_method": return { text: t("onboarding-ask-payment-method", { method: DEFAULT_PAYMENT_METHOD }) };
      case "providers": return { text: t("onboarding-ask-providers", { choices: PROVIDER_NAMES.join(", ") }), buttons: PROVIDER_NAMES.map((p) => ({ text: t(`provider-${p}`), answer: p })) };
      case "provider_credentials": {
        const name = s.providers[s.providerIndex]!;
        const { required, optional } = providerVariables(name);
        return { text: t("onboarding-ask-provider-credentials", { provider: t(`provider-${name}`), variables: [...required, ...optional.map((o) => `(${o})`)].join("\n") }) };
      }
      case "admin_chat": return { text: t("onboarding-ask-admin-chat") };
      case "shop_name": return { text: t("onboarding-ask-shop-name") };
      case "confirm": {
        const lines = Object.keys(s.vars).sort().map((n) => `${n}: ${isSecret(n) ? t("onboarding-secret-hidden") : s.vars[n]}`);
        return { text: t("onboarding-summary", { lines: lines.join("\n") }), buttons: [{ text: t("onboarding-button-submit"), answer: SUBMIT }, { text: t("onboarding-button-restart"), answer: RESTART }] };
      }
    }
  }

  /** The step after `s.step`: one credentials step per chosen provider; the payment method only where the panel has one. */
  function next(s: OnboardingState): OnboardingState {
    if (s.step === "provider_credentials" && s.providerIndex + 1 < s.providers.length) return { ...s, providerIndex: s.providerIndex + 1 };
    const step = STEPS[STEPS.indexOf(s.step) + 1]!;
    const following = { ...s, step, providerIndex: 0 };
    return step === "payment_method" && s.vars.PANEL_TYPE === "socpanel" ? next(following) : following;
  }

  async function verdictOf(s: OnboardingState, t: Translate, draft: Record<string, string>, text: string): Promise<Verdict> {
    switch (s.step) {
      case "bot_token": return answerBotToken(answerDeps, t, draft, text);
      case "panel_type": return answerPanelType(t, text);
      case "panel_url": return answerPanelUrl(answerDeps, t, draft, text);
      case "panel_key": return answerPanelKey(answerDeps, t, draft, text);
      case "payment_method": return answerPaymentMethod(answerDeps, t, draft, text, DEFAULT_PAYMENT_METHOD);
      case "providers": return answerProviders(t, text);
      case "provider_credentials": return answerProviderCredentials(answerDeps, t, draft, s.providers[s.providerIndex]!, text);
      case "admin_chat": return answerAdminChat(answerDeps, t, draft, text);
      case "shop_name": return answerShopName(answerDeps, t, draft, text);
      case "confirm": throw new Error("confirm is answered by submit()");
    }
  }

  async function submit(s: OnboardingState, t: Translate, draft: Record<string, string>): Promise<OnboardingTurn> {
    const base = merchantName(s.bot!.username);
    const name = (await deps.store.find(base)) ? `${base}-${s.bot!.id}` : base;
    try {
      const added = await addMerchant(deps, { name, vars: draft, state: "pending" });
      const webhooks = Object.entries(added.addresses.providers).map(([p, url]) => `${p}: ${url}`);
      return { state: undefined, replies: [{ text: t("onboarding-submitted", { name, webhooks: webhooks.length > 0 ? webhooks.join("\n") : "—" }) }], submitted: added };
    } catch (err) {
      // The bot was taken or its token revoked since it was checked: ask for a bot again.
      const again = { ...s, step: "bot_token" as const };
      if (err instanceof MerchantRefusal) return { state: again, replies: [{ text: t("onboarding-bot-in-use", { username: s.bot!.username }) }, ask(again, t)] };
      if (err instanceof BotApiError) return { state: again, replies: [{ text: t("onboarding-check-bot-token-refused") }, ask(again, t)] };
      if (err instanceof ConfigError) return { state: s, replies: [{ text: invalidAnswer(t, err.problems) }] };
      throw err;
    }
  }

  return {
    start(user) {
      const state: OnboardingState = { step: "bot_token", locale: user.locale, userId: user.id, vars: { ADMIN_IDS: String(user.id) }, providers: [], providerIndex: 0 };
      return { state, replies: [ask(state, translator(user.locale))] };
    },

    expectsSecret: (state) => SECRET_STEPS.has(state.step),

    async answer(state, text) {
      const t = translator(state.locale);
      let draft: Record<string, string>;
      try {
        draft = openVars(state);
      } catch (err) {
        if (!(err instanceof SealError)) throw err;
        return { state: undefined, replies: [{ text: t("onboarding-expired") }] };
      }
      const secrets = [...Object.entries({ ...draft, ...answeredVars(state, text) }).filter(([n]) => isSecret(n)).map(([, v]) => v)];
      // Defence in depth: no reply ever carries a secret, whatever a party quoted back.
      const masked = (turn: OnboardingTurn): OnboardingTurn => ({ ...turn, replies: turn.replies.map((r) => ({ ...r, text: maskSecrets(r.text, secrets) })) });

      if (state.step === "confirm") {
        const answer = text.trim().toLowerCase();
        if (answer === SUBMIT) return masked(await submit(state, t, draft));
        if (answer === RESTART) return this.start({ id: state.userId, locale: state.locale });
        return { state, replies: [ask(state, t)] };
      }
      const verdict = await verdictOf(state, t, draft, text);
      if (!verdict.ok) return masked({ state, replies: [...verdict.say.map((say) => ({ text: say })), ask(state, t)] });
      const passed: OnboardingState = {
        ...state,
        vars: { ...state.vars, ...sealVars(state, verdict.set) },
        ...(verdict.bot ? { bot: verdict.bot } : {}),
        ...(verdict.providers ? { providers: verdict.providers } : {}),
      };
      const following = next(passed);
      return masked({ state: following, replies: [...verdict.say.map((say) => ({ text: say })), ask(following, t)] });
    },
  };
}

/** The variables a secret step's answer sets, as its check reads them (to mask them, passed or not). */
function answeredVars(s: OnboardingState, text: string): Record<string, string> {
  if (s.step === "bot_token") return { BOT_TOKEN: text.trim() };
  if (s.step === "panel_key") return { PANEL_API_KEY: text.trim() };
  if (s.step === "provider_credentials") return parseCredentials(s.providers[s.providerIndex]!, text);
  return {};
}

/** Secrets shorter than 4 characters are not masked: they would blank ordinary words. */
function maskSecrets(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((out, secret) => out.split(secret).join("***"), text);
}
