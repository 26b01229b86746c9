import { createHmac } from "node:crypto";
import { ConfigError } from "../config/config.js";
import { reader, type Env } from "../config/reader.js";
import type { MasterKey } from "./master-key.js";

/** Where Telegram posts the operator's bot's updates, under PUBLIC_URL. */
export const OPERATOR_WEBHOOK_PATH = "/platform/telegram";

/** The platform's own bot, for its operators (PLATFORM_BOT_TOKEN, PLATFORM_ADMIN_IDS). */
export interface OperatorBotSettings {
  token: string;
  /** PLATFORM_ADMIN_IDS: the only users it answers with figures. */
  operatorIds: number[];
  apiRoot: string;
  /** PUBLIC_URL + OPERATOR_WEBHOOK_PATH. */
  webhookUrl: string;
  /** Telegram's secret_token for that webhook: derived from MASTER_KEY, so nothing new is stored. */
  webhookSecret: string;
}

/** The bot id a token starts with: two tokens of one bot share it. */
const botIdOf = (token: string | undefined) => token?.trim().split(":")[0];

/**
 * PLATFORM_BOT_TOKEN and PLATFORM_ADMIN_IDS; undefined when no operator's bot is configured. One ConfigError
 * naming each bad variable: operators without a bot, a bot without operators, or the environment shop's own bot.
 */
export function readOperatorBot(env: Env, platform: { publicUrl: string; masterKey: MasterKey }): OperatorBotSettings | undefined {
  const problems: string[] = [];
  const v = reader(env, problems);
  const token = v.botToken("PLATFORM_BOT_TOKEN", { required: false, checked: true });
  const operatorIds = v.list("PLATFORM_ADMIN_IDS", "").map((id) => v.telegramId("PLATFORM_ADMIN_IDS", id));
  if (token === undefined && operatorIds.length > 0) problems.push("PLATFORM_ADMIN_IDS: set, but PLATFORM_BOT_TOKEN is not: the operators' bot needs its token from @BotFather");
  if (token !== undefined && operatorIds.length === 0) problems.push("PLATFORM_ADMIN_IDS: required with PLATFORM_BOT_TOKEN (the operators' Telegram user ids; nobody else sees the platform's figures)");
  if (token !== undefined && botIdOf(token) === botIdOf(env.BOT_TOKEN)) problems.push("PLATFORM_BOT_TOKEN: the same bot as BOT_TOKEN: the operators' bot needs a bot of its own (@BotFather → /newbot)");
  const apiRoot = v.url("TELEGRAM_API_ROOT", false) ?? "https://api.telegram.org";
  if (problems.length > 0) throw new ConfigError(problems);
  if (token === undefined) return undefined;
  return { token, operatorIds, apiRoot, webhookUrl: `${platform.publicUrl}${OPERATOR_WEBHOOK_PATH}`, webhookSecret: operatorWebhookSecret(platform.masterKey) };
}

/** HMAC-SHA256 of a fixed label under MASTER_KEY, base64url: 43 of the characters Telegram allows in a secret_token. */
export function operatorWebhookSecret(masterKey: MasterKey): string {
  return createHmac("sha256", masterKey.key).update("platform operators' bot webhook secret_token").digest("base64url");
}
