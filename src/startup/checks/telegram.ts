import type { Config } from "../../config/config.js";
import { OutboundError, send } from "../../http/outbound.js";
import type { BotIdentity } from "../../platform/merchant-store.js";
import { fail, note, pass, warn, type CheckResult } from "./check-result.js";
import { quote, type CheckDeps } from "./check-deps.js";

const NAME = "Telegram";
/** Ports Telegram delivers webhooks to (setWebhook documentation). */
const WEBHOOK_PORTS = new Set(["443", "80", "88", "8443"]);

type BotApiAnswer = { ok: boolean; result?: unknown; description?: string; error_code?: number };
type BotApiCall = (method: string) => Promise<BotApiAnswer | string>;

function botApi(apiRoot: string, token: string, deps: CheckDeps): BotApiCall {
  return async (method) => {
    try {
      const res = await send(`${apiRoot}/bot${token}/${method}`, { method: "GET", timeoutMs: deps.timeoutMs });
      return JSON.parse(res.text) as BotApiAnswer;
    } catch (err) {
      return err instanceof OutboundError ? err.message : "the answer is not JSON";
    }
  };
}

/** getMe with a bot token alone; on success, the bot it names. */
export async function checkBotToken(bot: { apiRoot: string; token: string }, deps: CheckDeps): Promise<{ result: CheckResult; bot?: BotIdentity }> {
  return readBot(bot.apiRoot, botApi(bot.apiRoot, bot.token, deps));
}

async function readBot(apiRoot: string, call: BotApiCall): Promise<{ result: CheckResult; bot?: BotIdentity }> {
  const me = await call("getMe");
  if (typeof me === "string") return { result: fail(NAME, `cannot reach ${apiRoot} (${me})`, "check this server's internet access and TELEGRAM_API_ROOT", { reason: "telegram-unreachable" }) };
  if (!me.ok) {
    const refused = me.error_code === 401 || me.error_code === 404;
    const detail = `getMe refused: ${quote(me.description ?? "no description")}`;
    return {
      result: refused
        ? fail(NAME, detail, "BOT_TOKEN is wrong: copy it again from @BotFather (/mybots → API Token)", { reason: "bot-token-refused" })
        : fail(NAME, detail, "try again later", { reason: "telegram-unavailable" }),
    };
  }
  const result = me.result as { id?: unknown; username?: unknown } | undefined;
  const username = typeof result?.username === "string" ? result.username : "?";
  const bot = typeof result?.id === "number" && typeof result.username === "string" ? { id: result.id, username: result.username, info: JSON.stringify(result) } : undefined;
  return { result: pass(NAME, `BOT_TOKEN accepted (getMe: @${username})`), bot };
}

/** getMe (the token), and in webhook mode the address Telegram will post updates to, read with getWebhookInfo. */
export async function checkTelegram(config: Config, deps: CheckDeps, webhookUrl = `${config.bot.publicUrl}/telegram`): Promise<CheckResult[]> {
  const call = botApi(config.bot.apiRoot, config.bot.token, deps);
  const { result } = await readBot(config.bot.apiRoot, call);
  if (!result.ok) return [result];
  const results = [result];
  if (config.bot.mode === "webhook") results.push(await checkWebhook(webhookUrl, call));
  return results;
}

async function checkWebhook(wanted: string, call: BotApiCall): Promise<CheckResult> {
  const name = `${NAME} webhook`;
  const url = new URL(wanted);
  if (url.protocol !== "https:") return fail(name, `${wanted} is not https`, "Telegram sends webhooks to https addresses only: set PUBLIC_URL to https://…");
  const port = url.port || "443";
  if (!WEBHOOK_PORTS.has(port)) return fail(name, `port ${port} of ${wanted}`, "Telegram sends webhooks to ports 443, 80, 88 or 8443 only: change PUBLIC_URL");
  const info = await call("getWebhookInfo");
  if (typeof info === "string" || !info.ok) return warn(name, "getWebhookInfo did not answer", "run the check again");
  const current = info.result as { url?: string; last_error_message?: string; pending_update_count?: number };
  if (!current.url) return note(name, `not registered yet: the bot registers ${wanted} when it starts`);
  if (current.url !== wanted) return warn(name, `Telegram posts updates to ${current.url}, not ${wanted}`, "start the bot to register PUBLIC_URL/telegram (or fix PUBLIC_URL)");
  if (current.last_error_message) {
    return warn(name, `${wanted} registered; Telegram's last delivery failed: ${quote(current.last_error_message)}`, "make sure the reverse proxy forwards /telegram to the bot");
  }
  return pass(name, `${wanted} registered, no delivery errors`);
}
