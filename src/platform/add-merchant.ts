import type { Config } from "../config/config.js";
import { loadMerchantConfig } from "../config/merchant-config.js";
import type { Env } from "../config/reader.js";
import { BotApiError, getMe, setWebhook } from "./bot-api.js";
import { newMerchantKeys } from "./merchant-keys.js";
import { MerchantRefusal, type BotIdentity, type MerchantRecord, type MerchantStore } from "./merchant-store.js";
import type { PlatformSettings } from "./platform-settings.js";
import { merchantWebhookAddresses, type MerchantWebhookAddresses } from "./webhook-addresses.js";

/** What adding, approving or updating a merchant needs: the store, the platform's settings and the process environment. */
export interface MerchantAdmin {
  store: MerchantStore;
  settings: PlatformSettings;
  processEnv: Env;
}

export interface AddedMerchant {
  merchant: MerchantRecord;
  bot: BotIdentity;
  config: Config;
  addresses: MerchantWebhookAddresses;
  /** Why Telegram did not take the webhook of an active merchant (it is stored all the same); a pending one registers on approval. */
  webhookError?: string;
}

/**
 * Adds a merchant: its variables validated exactly as start-up does (a ConfigError), its bot asked of Telegram
 * (getMe; a BotApiError), stored with its secrets sealed (a MerchantRefusal for a taken name or bot). An active
 * merchant's Telegram webhook is registered at once; a pending one's (onboarding by chat) when an operator approves it.
 * The operator CLI's `merchant add` and onboarding both add through here.
 */
export async function addMerchant(p: MerchantAdmin, input: { name: string; vars: Env; state: "active" | "pending" }): Promise<AddedMerchant> {
  const keys = newMerchantKeys();
  const config = loadMerchantConfig(p.processEnv, input.vars, { webhookSecret: keys.webhookSecret });
  const bot = await getMe(config.bot.apiRoot, config.bot.token);
  refuseOperatorsBot(p.processEnv, bot);
  const merchant = await p.store.add({ name: input.name, vars: input.vars, bot, state: input.state, ...keys }, p.settings.masterKey);
  const addresses = merchantWebhookAddresses(p.settings.publicUrl, merchant.routeKey!, config.providers.enabled);
  if (input.state === "pending") return { merchant, bot, config, addresses };
  const webhookError = await registerMerchantWebhook(p, config, merchant, keys.webhookSecret);
  return { merchant, bot, config, addresses, ...(webhookError === undefined ? {} : { webhookError }) };
}

/** The operators' bot (PLATFORM_BOT_TOKEN) is nobody's shop: a merchant's webhook on it would take its updates away. */
export function refuseOperatorsBot(processEnv: Env, bot: BotIdentity): void {
  if (processEnv.PLATFORM_BOT_TOKEN?.trim().split(":")[0] !== String(bot.id)) return;
  throw new MerchantRefusal("duplicate_bot", `bot @${bot.username} is the operators' bot (PLATFORM_BOT_TOKEN): each merchant needs its own bot (@BotFather → /newbot)`);
}

/** A pending merchant goes live (audited, see MerchantStore.approve) and its Telegram webhook is registered. */
export async function approveMerchant(p: MerchantAdmin, name: string, operatorId: number): Promise<{ merchant: MerchantRecord; webhookError?: string }> {
  const merchant = await p.store.approve(name, BigInt(operatorId));
  const { webhookSecret } = await p.store.secrets(merchant.id, p.settings.masterKey);
  const config = await p.store.loadConfig(merchant.id, p.settings.masterKey, p.processEnv);
  const webhookError = await registerMerchantWebhook(p, config, merchant, webhookSecret);
  return { merchant, ...(webhookError === undefined ? {} : { webhookError }) };
}

/** Tells Telegram where to post the merchant's updates; why it refused, if it did. */
export async function registerMerchantWebhook(p: MerchantAdmin, config: Config, merchant: MerchantRecord, webhookSecret: string): Promise<string | undefined> {
  try {
    await setWebhook(config.bot.apiRoot, config.bot.token, { url: merchantWebhookAddresses(p.settings.publicUrl, merchant.routeKey!, []).telegram, secretToken: webhookSecret });
    return undefined;
  } catch (err) {
    if (err instanceof BotApiError) return err.message;
    throw err;
  }
}
