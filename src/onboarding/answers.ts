import type { Translate } from "../bot/i18n.js";
import { ConfigError, PANEL_TYPES, PROVIDER_NAMES, type Config, type ProviderName } from "../config/config.js";
import { loadMerchantConfig } from "../config/merchant-config.js";
import { PROVIDER_CONFIGS } from "../config/providers/index.js";
import type { Env } from "../config/reader.js";
import type { Logger } from "../logger.js";
import type { MerchantStore } from "../platform/merchant-store.js";
import type { CheckDeps } from "../startup/checks/check-deps.js";
import { checkPanelKey, checkPanelPaymentMethod } from "../startup/checks/panel.js";
import { checkProvider } from "../startup/checks/providers.js";
import { checkBotToken } from "../startup/checks/telegram.js";
import { checkAccepts, checkSentence, invalidAnswer } from "./check-message.js";

/** What checking an answer needs. */
export interface AnswerDeps {
  processEnv: Env;
  store: MerchantStore;
  log: Logger;
  timeoutMs: number;
  now: () => number;
}

/** An answer checked: the variables it sets (passed), or why not; the sentences to say either way. */
export type Verdict =
  | { ok: true; set: Record<string, string>; say: string[]; bot?: { id: number; username: string }; providers?: ProviderName[] }
  | { ok: false; say: string[] };

const refused = (...say: string[]): Verdict => ({ ok: false, say });
/** Telegram's secret_token stand-in while validating a draft: the real one is made when the merchant is stored. */
const DRAFT_WEBHOOK_SECRET = "onboarding-draft";
/** The key the address step asks the panel with: a panel refuses it, and so shows it is a panel. */
const PROBE_KEY = "khqr-onboarding-address-probe";
/** "-" keeps a default or skips an optional answer. */
export const SKIP = "-";

/**
 * The draft (what passed so far, plus this answer) validated as start-up validates a shop, except that what is not
 * answered yet is not missing: a refusal names only this answer's variables; otherwise the configuration to check with.
 */
function validated(deps: AnswerDeps, t: Translate, vars: Env, names: readonly string[]): { config: Config } | { verdict: Verdict } {
  try {
    return { config: loadMerchantConfig(deps.processEnv, vars, { webhookSecret: DRAFT_WEBHOOK_SECRET, draft: true }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const mine = err.problems.filter((p) => p.split(":")[0]!.split(", ").some((n) => names.includes(n)));
    return { verdict: refused(invalidAnswer(t, mine.length > 0 ? mine : err.problems)) };
  }
}

const checkDeps = (deps: AnswerDeps): CheckDeps => ({ log: deps.log, timeoutMs: deps.timeoutMs, now: deps.now });

export async function answerBotToken(deps: AnswerDeps, t: Translate, draft: Env, text: string): Promise<Verdict> {
  const set = { BOT_TOKEN: text.trim() };
  const v = validated(deps, t, { ...draft, ...set }, ["BOT_TOKEN"]);
  if ("verdict" in v) return v.verdict;
  const { result, bot } = await checkBotToken(v.config.bot, checkDeps(deps));
  if (!result.ok || !bot) return refused(checkSentence(t, result));
  const other = await deps.store.findByBot(bot.id);
  if (other) return refused(t("onboarding-bot-in-use", { username: bot.username }));
  return { ok: true, set, say: [t("onboarding-ok-bot", { username: bot.username })], bot: { id: bot.id, username: bot.username } };
}

export function answerPanelType(t: Translate, text: string): Verdict {
  const type = text.trim().toLowerCase();
  if (!(PANEL_TYPES as readonly string[]).includes(type)) return refused(t("onboarding-choose", { choices: PANEL_TYPES.join(", ") }));
  return { ok: true, set: { PANEL_TYPE: type }, say: [] };
}

/** The address alone: asked with a key no panel takes, a refusal of the key shows it is a panel of that type. */
export async function answerPanelUrl(deps: AnswerDeps, t: Translate, draft: Env, text: string): Promise<Verdict> {
  const set = { PANEL_URL: text.trim().replace(/\/+$/, "") };
  const v = validated(deps, t, { ...draft, ...set }, ["PANEL_URL"]);
  if ("verdict" in v) return v.verdict;
  const probe = await checkPanelKey({ ...v.config.panel, apiKey: PROBE_KEY }, checkDeps(deps));
  if (!probe.ok && probe.reason !== "panel-key-refused") return refused(checkSentence(t, probe, { panel: v.config.panel.type }));
  return { ok: true, set, say: [t("onboarding-ok-panel-address", { url: set.PANEL_URL })] };
}

export async function answerPanelKey(deps: AnswerDeps, t: Translate, draft: Env, text: string): Promise<Verdict> {
  const set = { PANEL_API_KEY: text.trim() };
  const v = validated(deps, t, { ...draft, ...set }, ["PANEL_API_KEY"]);
  if ("verdict" in v) return v.verdict;
  const result = await checkPanelKey(v.config.panel, checkDeps(deps));
  if (!result.ok) return refused(checkSentence(t, result, { panel: v.config.panel.type }));
  return { ok: true, set, say: [t("onboarding-ok-panel-key")] };
}

/** PerfectPanel v2 looks for the method among recent payments: a near miss is refused, a method not seen yet is a caution. */
export async function answerPaymentMethod(deps: AnswerDeps, t: Translate, draft: Env, text: string, fallback: string): Promise<Verdict> {
  const set = { PANEL_PAYMENT_METHOD: text.trim() === SKIP ? fallback : text.trim() };
  const v = validated(deps, t, { ...draft, ...set }, ["PANEL_PAYMENT_METHOD"]);
  if ("verdict" in v) return v.verdict;
  const say = [t("onboarding-ok-payment-method", { method: set.PANEL_PAYMENT_METHOD })];
  if (v.config.panel.type !== "perfectpanel") return { ok: true, set, say };
  const result = await checkPanelPaymentMethod(v.config.panel, checkDeps(deps));
  if (!checkAccepts(result)) return refused(checkSentence(t, result));
  return { ok: true, set, say: result.level === "note" ? [...say, checkSentence(t, result)] : say };
}

export function answerProviders(t: Translate, text: string): Verdict {
  const names = [...new Set(text.split(/[\s,]+/).map((n) => n.trim().toLowerCase()).filter((n) => n !== ""))];
  if (names.length === 0 || names.some((n) => !(PROVIDER_NAMES as readonly string[]).includes(n))) {
    return refused(t("onboarding-choose", { choices: PROVIDER_NAMES.join(", ") }));
  }
  // Asked in the order the merchant named them.
  const providers = names as ProviderName[];
  return { ok: true, set: { PAYMENT_PROVIDERS: providers.join(",") }, say: [], providers };
}

/** A provider's variables: the required ones in the order they are asked, then the optional ones. */
export function providerVariables(name: ProviderName): { required: string[]; optional: string[] } {
  const d = PROVIDER_CONFIGS.find((c) => c.name === name)!;
  const entries = Object.entries(d.variables) as [string, { required: boolean }][];
  return { required: entries.filter(([, s]) => s.required).map(([n]) => n), optional: entries.filter(([, s]) => !s.required).map(([n]) => n) };
}

/** `NAME=value` lines for any of the provider's variables; other lines fill its required ones in order. */
export function parseCredentials(name: ProviderName, text: string): Record<string, string> {
  const { required, optional } = providerVariables(name);
  const known = [...required, ...optional];
  const set: Record<string, string> = {};
  const positional: string[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
    const named = /^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (named && known.includes(named[1]!)) set[named[1]!] = named[2]!.trim();
    else positional.push(line);
  }
  for (const variable of required.filter((n) => set[n] === undefined)) {
    const value = positional.shift();
    if (value !== undefined) set[variable] = value;
  }
  return set;
}

export async function answerProviderCredentials(deps: AnswerDeps, t: Translate, draft: Env, name: ProviderName, text: string): Promise<Verdict> {
  const set = parseCredentials(name, text);
  const { required, optional } = providerVariables(name);
  const missing = required.filter((n) => !set[n]?.trim());
  if (missing.length > 0) return refused(invalidAnswer(t, missing.map((n) => `${n}: not given`)));
  const v = validated(deps, t, { ...draft, ...set }, [...required, ...optional]);
  if ("verdict" in v) return v.verdict;
  const result = await checkProvider(name, v.config, checkDeps(deps));
  if (!checkAccepts(result)) return refused(checkSentence(t, result));
  const say = [t("onboarding-ok-provider", { provider: result.name })];
  return { ok: true, set, say: result.level === "note" ? [...say, checkSentence(t, result)] : say };
}

export function answerAdminChat(deps: AnswerDeps, t: Translate, draft: Env, text: string): Verdict {
  if (text.trim() === SKIP) return { ok: true, set: {}, say: [t("onboarding-ok-saved")] };
  const set = { ADMIN_CHAT_ID: text.trim() };
  const v = validated(deps, t, { ...draft, ...set }, ["ADMIN_CHAT_ID"]);
  return "verdict" in v ? v.verdict : { ok: true, set, say: [t("onboarding-ok-saved")] };
}

export function answerShopName(deps: AnswerDeps, t: Translate, draft: Env, text: string): Verdict {
  const set = { MERCHANT_NAME: text.trim() };
  const v = validated(deps, t, { ...draft, ...set }, ["MERCHANT_NAME"]);
  return "verdict" in v ? v.verdict : { ok: true, set, say: [] };
}
