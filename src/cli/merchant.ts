import { createLogger } from "../logger.js";
import { ConfigError, loadConfig, SECRET_VARIABLES, type Config } from "../config/config.js";
import { loadMerchantConfig } from "../config/merchant-config.js";
import { environmentHasShop } from "../config/variable-scopes.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";
import { addMerchant, refuseOperatorsBot, registerMerchantWebhook, type MerchantAdmin } from "../platform/add-merchant.js";
import { BotApiError, deleteWebhook, getMe } from "../platform/bot-api.js";
import { merchantPendingWork, pendingWorkText } from "../platform/pending-work.js";
import { createMerchantStore, MerchantRefusal, secretValuesOf, type MerchantRecord, type MerchantStore } from "../platform/merchant-store.js";
import { readPlatformSettings, type PlatformSettings } from "../platform/platform-settings.js";
import { environmentWebhookAddresses, merchantWebhookAddresses, type MerchantWebhookAddresses } from "../platform/webhook-addresses.js";
import { formatCheck, runSelfCheck } from "../startup/self-check.js";
import { takeOption } from "../admin/admin-words.js";
import { readEnvFile } from "./env-file.js";
import { listText, webhooksText, type MerchantListing } from "./merchant-text.js";
import { UsageError, type Command, type CommandContext } from "./command.js";

const ACTIONS = "add <name> --env-file <file> | list [--json] | update <name> --env-file <file> | disable <name> | enable <name> | remove <name> | check <name>";
/** Names are typed in commands and shown in reports: short, no spaces. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

interface Platform {
  ctx: CommandContext;
  settings: PlatformSettings;
  store: MerchantStore;
}

const flat = (a: MerchantWebhookAddresses): Record<string, string> => ({ telegram: a.telegram, ...a.providers });

function nameOf(args: string[]): string {
  const name = args[0];
  if (name === undefined || !NAME.test(name)) throw new UsageError(`a merchant name is 1-40 of a-z, 0-9, _ and -, starting with a letter or digit (got "${name ?? ""}")`);
  return name;
}

function envFileOf(args: string[]): Record<string, string> {
  const file = takeOption(args, "--env-file");
  if (!file.ok || file.value === undefined) throw new UsageError("--env-file <file> is required: the merchant's variables, in the format of a single shop's .env");
  return readEnvFile(file.value);
}

const admin = (p: Platform): MerchantAdmin => ({ store: p.store, settings: p.settings, processEnv: p.ctx.env });

async function add(p: Platform, args: string[]): Promise<number> {
  const name = nameOf(args);
  const vars = envFileOf(args.slice(1));
  const { bot, addresses, webhookError } = await addMerchant(admin(p), { name, vars, state: "active" });
  if (webhookError !== undefined) {
    return refuse(p, `merchant "${name}" added, but its Telegram webhook is not registered (${webhookError}): \`merchant update ${name} --env-file …\` registers it again`);
  }
  p.ctx.print([`merchant "${name}" added: bot @${bot.username}, active; its Telegram webhook is registered`, "webhook addresses:", ...webhooksText(flat(addresses))].join("\n"));
  return 0;
}

async function update(p: Platform, args: string[]): Promise<number> {
  const name = nameOf(args);
  const vars = envFileOf(args.slice(1));
  const current = await p.store.find(name);
  if (!current) return refuse(p, `no merchant named "${name}"`);
  if (current.id === DEFAULT_MERCHANT_ID) return refuse(p, `"${name}" is the environment merchant: change this deployment's environment (.env) instead`);
  if (current.state === "removed") return refuse(p, `merchant "${name}" was removed: add it again under another name`);
  const { webhookSecret } = await p.store.secrets(current.id, p.settings.masterKey);
  const config = loadMerchantConfig(p.ctx.env, vars, { webhookSecret });
  const bot = await getMe(config.bot.apiRoot, config.bot.token);
  refuseOperatorsBot(p.ctx.env, bot);
  const merchant = await p.store.update(name, { vars, bot }, p.settings.masterKey);
  const webhookError = await registerMerchantWebhook(admin(p), config, merchant, webhookSecret);
  if (webhookError !== undefined) return refuse(p, webhookError);
  const addresses = merchantWebhookAddresses(p.settings.publicUrl, merchant.routeKey!, config.providers.enabled);
  p.ctx.print([`merchant "${name}" updated (version ${merchant.version}): bot @${bot.username}; its Telegram webhook is registered`, "webhook addresses:", ...webhooksText(flat(addresses))].join("\n"));
  return 0;
}

/** What `list` shows of a merchant; a stored configuration that no longer validates shows no provider addresses. */
async function listing(p: Platform, m: MerchantRecord): Promise<MerchantListing> {
  const bot = m.botUsername === null || m.state === "removed" ? null : `@${m.botUsername}`;
  const verifiedAt = m.verifiedAt?.toISOString() ?? null;
  if (m.state === "removed") return { name: m.name, bot, state: m.state, webhooks: {}, verifiedAt };
  if (m.id === DEFAULT_MERCHANT_ID) {
    const config = environmentConfig(p);
    return { name: m.name, bot, state: m.state, webhooks: config ? flat(environmentWebhookAddresses(p.settings.publicUrl, config.providers.enabled)) : {}, verifiedAt };
  }
  const config = await p.store.loadConfig(m.id, p.settings.masterKey, p.ctx.env).catch((err: unknown) => {
    if (err instanceof ConfigError && !err.problems.some((problem) => problem.startsWith("MASTER_KEY:"))) return undefined;
    throw err;
  });
  return { name: m.name, bot, state: m.state, webhooks: flat(merchantWebhookAddresses(p.settings.publicUrl, m.routeKey!, config?.providers.enabled ?? [])), verifiedAt };
}

/** The environment merchant's configuration when the environment has a shop (any shop variable set), else none. */
function environmentConfig(p: Platform): Config | undefined {
  if (!environmentHasShop(p.ctx.env)) return undefined;
  return loadConfig(p.ctx.env);
}

async function list(p: Platform, args: string[]): Promise<number> {
  const json = args.includes("--json");
  if (args.some((a) => a !== "--json")) throw new UsageError("merchant list takes only --json");
  const records = await p.store.list();
  const merchants = await Promise.all(records.map((m) => listing(p, m)));
  p.ctx.print(json ? JSON.stringify(merchants, null, 2) : listText(merchants.map((m, i) => ({ ...m, id: records[i]!.id }))));
  return 0;
}

async function setState(p: Platform, args: string[], state: "active" | "disabled"): Promise<number> {
  const merchant = await p.store.setState(nameOf(args), state);
  p.ctx.print(state === "active"
    ? `merchant "${merchant.name}" enabled: running instances serve it again within 2 s`
    : `merchant "${merchant.name}" disabled: running instances stop serving its bot and webhooks within 2 s; its data is kept`);
  return 0;
}

async function remove(p: Platform, args: string[]): Promise<number> {
  const name = nameOf(args);
  const current = await p.store.find(name);
  if (!current || current.id === DEFAULT_MERCHANT_ID || current.state === "removed") {
    return refuse(p, !current ? `no merchant named "${name}"` : current.state === "removed" ? `merchant "${name}" was removed already` : `"${name}" is the environment merchant: it cannot be removed`);
  }
  // A shop still serving could open a top-up between the check and the removal, and its payment would find no shop.
  if (current.state === "active") return refuse(p, `merchant "${name}" is active: \`merchant disable ${name}\` first (no new top-ups), then remove it once its pending work is settled`);
  const pending = await merchantPendingWork((await p.ctx.services()).database, current.id);
  if (pending.total > 0) return refuse(p, `merchant "${name}" not removed: ${pendingWorkText(pending)}; settle them first`);
  // Telegram stops posting to an address that is going away; its token is forgotten next.
  const config = await p.store.loadConfig(current.id, p.settings.masterKey, p.ctx.env).catch(() => undefined);
  if (config) await deleteWebhook(config.bot.apiRoot, config.bot.token).catch(() => undefined);
  await p.store.remove(name);
  p.ctx.print(`merchant "${name}" removed: its secrets and keys are deleted, its bot is free for another merchant, its history stays for reports`);
  return 0;
}

async function check(p: Platform, args: string[]): Promise<number> {
  const current = await p.store.find(nameOf(args));
  if (!current || current.id === DEFAULT_MERCHANT_ID || current.state === "removed") {
    return refuse(p, !current ? `no merchant named "${args[0]}"` : current.state === "removed" ? `merchant "${current.name}" was removed` : "the environment merchant is checked with `check`");
  }
  const config = await p.store.loadConfig(current.id, p.settings.masterKey, p.ctx.env);
  // A log line of the checks masks this merchant's secrets too.
  const log = createLogger({ level: config.runtime.logLevel, secrets: [...SECRET_VARIABLES.map((v) => p.ctx.env[v]), ...secretValuesOf(await p.store.secrets(current.id, p.settings.masterKey))], destination: process.stderr });
  const results = await runSelfCheck(config, { log, publicUrl: "listen", telegramWebhookUrl: merchantWebhookAddresses(p.settings.publicUrl, current.routeKey!, []).telegram });
  for (const r of results) p.ctx.print(formatCheck(r));
  const failed = results.filter((r) => !r.ok).length;
  p.ctx.print(failed === 0 ? `\nall checks of "${current.name}" passed` : `\n${failed} check(s) of "${current.name}" failed: fix them before its customers pay`);
  return failed === 0 ? 0 : 1;
}

function refuse(p: Platform, message: string): number {
  p.ctx.print(message);
  return 1;
}

/** `merchant <action> …`: a platform's merchants (README, "Running a platform"). */
export const merchantCommand: Command = {
  args: `<${ACTIONS}>`,
  summary: "a platform's merchants (needs PUBLIC_URL and MASTER_KEY): add or update one from its .env-style file (validated as start-up does, its webhook registered), list them, disable, enable, remove (refused while work is pending), or run the self-check with its configuration",
  minArgs: 1,
  maxArgs: 4,
  needs: "platform",
  async run([action, ...args], ctx) {
    const settings = readPlatformSettings(ctx.env);
    const { database, wakeup } = await ctx.services();
    const p: Platform = { ctx, settings, store: createMerchantStore(database, { wakeup }) };
    // A wrong MASTER_KEY stops here (exit 2), before a merchant is stored under a key the platform does not have.
    await p.store.assertMasterKey(settings.masterKey);
    try {
      switch (action) {
        case "add": return await add(p, args);
        case "update": return await update(p, args);
        case "list": return await list(p, args);
        case "disable": return await setState(p, args, "disabled");
        case "enable": return await setState(p, args, "active");
        case "remove": return await remove(p, args);
        case "check": return await check(p, args);
        default: throw new UsageError(`unknown merchant action "${action ?? ""}" (${ACTIONS})`);
      }
    } catch (err) {
      if (err instanceof MerchantRefusal || err instanceof BotApiError) return refuse(p, err.message);
      throw err;
    }
  },
};
