import { khqrAmountString } from "../khqr/amount.js";
import { CURRENCIES, formatMoney, type Currency } from "../money/money.js";
import type { BonusTiers } from "../money/bonus.js";
import { turnsOnVariables, type SecretVariablesOf } from "./provider-config.js";
import { PROVIDER_CONFIGS } from "./providers/index.js";
import { isHttpsOrLoopback, reader, type Env, type Reader } from "./reader.js";
import { redactUrlCredentials } from "./redact-url.js";

export type { AhnajakConfig, BakongConfig, KessConfig, PayWayConfig, RaksmeyPayConfig } from "./providers/index.js";

type ProviderConfigs = (typeof PROVIDER_CONFIGS)[number];
export type ProviderName = ProviderConfigs["name"];
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDER_CONFIGS.map((d) => d.name);
export const PANEL_TYPES = ["perfectpanel", "perfectpanel-v1", "socpanel"] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

/** Each configured provider's typed configuration under its name. */
export type ProvidersConfig = { enabled: ProviderName[] } & { [D in ProviderConfigs as D["name"]]?: ReturnType<D["read"]> };

export interface Config {
  sandbox: boolean;
  /** DAILY_REPORT_AT: the daily summary to the admin chat at this local time (report time zone), in minutes after midnight. */
  dailyReportAtMinutes?: number;
  /** RETENTION_DAYS: sent notifications and expired locks older than this are pruned (money rows never are). */
  retentionDays: number;
  bot: {
    token: string; apiRoot: string; mode: "polling" | "webhook";
    publicUrl?: string; webhookSecret?: string; adminIds: number[]; adminChatId?: number;
    /** How bank apps name the bot on a deep link (Bakong `sourceInfo`); unset: the bot's own name and picture. */
    appName?: string; appIconUrl?: string;
  };
  runtime: { databaseUrl: string; redisUrl?: string; httpHost: string; httpPort: number; logLevel: string; metricsToken?: string };
  topup: {
    currency: Currency; minMinor: number; maxMinor: number; presetsMinor: number[];
    ttlSeconds: number; khrPerUsd: number; merchantName: string; merchantCity: string;
    bonus: BonusTiers;
  };
  providers: ProvidersConfig;
  panel: { type: PanelType; url: string; apiKey: string; paymentMethod: string; currency: Currency };
  crediter: {
    retryForSeconds: number;
    /**
     * Panel credit calls in flight at once: "adaptive" (CREDIT_CONCURRENCY unset) finds the panel's capacity between 1
     * and panelMaxConnections; a number is a fixed override.
     */
    concurrency: number | "adaptive";
    /** Connections to the panel: the adaptive limit's maximum, and at least a fixed `concurrency`. */
    panelMaxConnections: number;
  };
}

type SecretVariable = "BOT_TOKEN" | "TELEGRAM_WEBHOOK_SECRET" | "PANEL_API_KEY" | "METRICS_TOKEN" | SecretVariablesOf<ProviderConfigs>;

/** Every secret variable this program reads (the providers' from their descriptors); `.env.example` documents each one. */
export const SECRET_VARIABLES: readonly SecretVariable[] = [
  "BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
  ...PROVIDER_CONFIGS.flatMap((d) => Object.entries(d.variables).filter(([, spec]) => spec.secret).map(([name]) => name as SecretVariable)),
  "PANEL_API_KEY", "METRICS_TOKEN",
];

const KHQR_AMOUNT_MAX_CHARS = 13;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    // A URL quoted in a problem may carry a password: the message is printed, so it never shows one.
    const shown = problems.map(redactUrlCredentials);
    super(`Invalid configuration:\n${shown.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = shown;
  }
}

/** The variables that identify a live deployment: the bot's token, the panel's and those that turn a provider on. */
const OWN_VARIABLES = ["BOT_TOKEN", ...PROVIDER_CONFIGS.flatMap(turnsOnVariables), "PANEL_URL", "PANEL_API_KEY"];

/** True when nothing that identifies a live deployment is set: the program then runs its sandbox. */
export function isUnconfigured(env: Env): boolean {
  return OWN_VARIABLES.every((name) => !env[name]?.trim());
}

/**
 * Validates the environment. Throws one ConfigError listing every bad or missing variable.
 * `sandbox` skips the requirement for live credentials (the sandbox supplies its own); so does
 * `databaseOnly` (operator commands that read the database: credentials set are still checked).
 */
export function loadConfig(env: Env, opts: { sandbox?: boolean; databaseOnly?: boolean } = {}): Config {
  const problems: string[] = [];
  const v = reader(env, problems);
  const sandbox = opts.sandbox ?? false;
  const credentialsOptional = sandbox || opts.databaseOnly === true;
  // The full configuration of a real deployment (the bot, and the CLI commands that reach outside parties).
  const live = !credentialsOptional;

  const topupCurrency = v.oneOf("TOPUP_CURRENCY", CURRENCIES, "USD");
  const panelType = v.oneOf("PANEL_TYPE", PANEL_TYPES, "perfectpanel");
  const amount = (name: string, fallback: string) => v.amount(name, topupCurrency, fallback);
  const minMinor = amount("TOPUP_MIN", topupCurrency === "USD" ? "1" : "4000");
  const maxMinor = amount("TOPUP_MAX", topupCurrency === "USD" ? "1000" : "4000000");
  if (minMinor > maxMinor) problems.push("TOPUP_MIN: must not be greater than TOPUP_MAX");
  // Every provider here is paid by KHQR, whose amount (tag 54) holds at most 13 characters; panels take 2-decimal
  // JSON numbers, exact far beyond that.
  if (khqrAmountString(maxMinor, topupCurrency).length > KHQR_AMOUNT_MAX_CHARS) {
    problems.push(`TOPUP_MAX: ${formatMoney(maxMinor, topupCurrency)} does not fit a KHQR amount (at most ${KHQR_AMOUNT_MAX_CHARS} characters)`);
  }
  const presetsMinor = v
    .list("TOPUP_PRESETS", topupCurrency === "USD" ? "5,10,20,50" : "20000,40000,100000,200000")
    .map((p) => v.amountText("TOPUP_PRESETS", p, topupCurrency));
  for (const p of presetsMinor) {
    if (p < minMinor || p > maxMinor) problems.push(`TOPUP_PRESETS: ${formatMoney(p, topupCurrency)} is outside TOPUP_MIN..TOPUP_MAX`);
  }

  const providers = loadProviders(env, v, problems, credentialsOptional);
  const botMode = v.oneOf("BOT_MODE", ["polling", "webhook"] as const, "polling");
  const publicUrl = v.url("PUBLIC_URL", botMode === "webhook");
  // Telegram's updates and the providers' payment webhooks arrive there: never in clear text across a network.
  if (live && publicUrl !== undefined && !isHttpsOrLoopback(publicUrl)) {
    problems.push("PUBLIC_URL: must be an https:// address (Telegram updates and payment webhooks are sent to it); http only on a loopback address");
  }
  const webhookSecret = v.str("TELEGRAM_WEBHOOK_SECRET", botMode === "webhook");
  if (webhookSecret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(webhookSecret)) {
    problems.push("TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)");
  }
  if ((env.BOT_APP_NAME?.trim().length ?? 0) > 64) problems.push("BOT_APP_NAME: at most 64 characters");
  const processConfig = readProcessConfig(env, v, problems, sandbox);

  const config: Config = {
    sandbox,
    dailyReportAtMinutes: v.timeOfDay("DAILY_REPORT_AT"),
    bot: {
      token: v.botToken("BOT_TOKEN", { required: live, checked: !sandbox }) ?? "",
      apiRoot: v.url("TELEGRAM_API_ROOT", false) ?? "https://api.telegram.org",
      mode: botMode,
      publicUrl,
      webhookSecret,
      adminIds: v.list("ADMIN_IDS", "").map((id) => v.telegramId("ADMIN_IDS", id)),
      adminChatId: env.ADMIN_CHAT_ID?.trim() ? v.telegramId("ADMIN_CHAT_ID", env.ADMIN_CHAT_ID.trim(), { negative: true }) : undefined,
      appName: v.str("BOT_APP_NAME", false),
      appIconUrl: v.url("BOT_APP_ICON_URL", false),
    },
    topup: {
      currency: topupCurrency,
      minMinor,
      maxMinor,
      presetsMinor,
      ttlSeconds: v.int("TOPUP_TTL_SECONDS", 600, 60, 86_400),
      khrPerUsd: v.int("KHR_PER_USD", 4100, 1, 1_000_000),
      // The payee name in every customer's bank app: a live deployment names itself.
      merchantName: v.maxLen("MERCHANT_NAME", 25, live ? undefined : "KHQR Top-up"),
      merchantCity: v.maxLen("MERCHANT_CITY", 15, "Phnom Penh"),
      bonus: v.bonusTiers("TOPUP_BONUS", topupCurrency),
    },
    providers,
    panel: {
      type: panelType,
      url: v.url("PANEL_URL", !credentialsOptional) ?? "",
      apiKey: v.str("PANEL_API_KEY", !credentialsOptional) ?? "",
      paymentMethod: v.str("PANEL_PAYMENT_METHOD", false) ?? "KHQR",
      currency: v.oneOf("PANEL_CURRENCY", CURRENCIES, "USD"),
    },
    ...processConfig,
  };
  if (live && config.bot.adminIds.length === 0 && config.bot.adminChatId === undefined) {
    problems.push("ADMIN_IDS, ADMIN_CHAT_ID: neither is set; held payments, orphan payments and outage alerts would reach no one (set at least one)");
  }
  if (live && providers.enabled.length === 0) {
    problems.push("PAYMENT_PROVIDERS: no payment provider is configured (set the variables of at least one provider)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * What the process runs with whatever shops it serves (the process-wide variables, src/config/variable-scopes.ts):
 * its storage, how it listens and logs, how its crediter is sized and what retention prunes. A platform without a
 * shop of its own in the environment runs with this alone.
 */
export type ProcessConfig = Pick<Config, "runtime" | "crediter" | "retentionDays">;

/** Whether `config` carries the environment's shop (a single shop, or a platform's merchant `default`). */
export function hasShop(config: ProcessConfig): config is Config {
  return "bot" in config;
}

/** The process-wide variables alone (a platform without its own shop); one ConfigError listing every bad one. */
export function loadProcessConfig(env: Env): ProcessConfig {
  const problems: string[] = [];
  const config = readProcessConfig(env, reader(env, problems), problems, false);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readProcessConfig(env: Env, v: Reader, problems: string[], sandbox: boolean): ProcessConfig {
  if (env.METRICS_TOKEN?.trim() && !/^[A-Za-z0-9._~+/-]{16,256}$/.test(env.METRICS_TOKEN.trim())) {
    problems.push("METRICS_TOKEN: 16-256 characters of A-Z, a-z, 0-9 and . _ ~ + / - (sent as Authorization: Bearer <token>)");
  }
  const config: ProcessConfig = {
    retentionDays: v.int("RETENTION_DAYS", 90, 1, 36_500),
    runtime: {
      databaseUrl: v.databaseUrl("DATABASE_URL", "file:./data/bot.db"),
      // The sandbox shares nothing with a live install: no sessions in its Redis, no address of its own.
      redisUrl: sandbox ? undefined : v.redisUrl("REDIS_URL"),
      // The sandbox page drives a demo without authentication: loopback unless explicitly allowed.
      httpHost: sandbox ? (v.str("SANDBOX_HTTP_HOST", false) ?? "127.0.0.1") : (v.str("HTTP_HOST", false) ?? "0.0.0.0"),
      httpPort: v.int("HTTP_PORT", 8080, 0, 65535),
      logLevel: v.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
      metricsToken: v.str("METRICS_TOKEN", false),
    },
    crediter: {
      retryForSeconds: v.int("CREDIT_RETRY_SECONDS", 3600, 0, 30 * 86_400),
      // Unset: the crediter finds the panel's capacity itself, up to PANEL_MAX_CONNECTIONS; set: a fixed override.
      concurrency: v.str("CREDIT_CONCURRENCY", false) === undefined ? ("adaptive" as const) : v.int("CREDIT_CONCURRENCY", 16, 1, 1000),
      panelMaxConnections: v.int("PANEL_MAX_CONNECTIONS", 64, 1, 1000),
    },
  };
  if (config.crediter.concurrency !== "adaptive" && config.crediter.panelMaxConnections < config.crediter.concurrency) {
    problems.push(`PANEL_MAX_CONNECTIONS: must be at least CREDIT_CONCURRENCY (${config.crediter.concurrency}), or credits wait for a free connection`);
  }
  return config;
}

function loadProviders(env: Env, v: Reader, problems: string[], sandbox: boolean): ProvidersConfig {
  const p: ProvidersConfig = { enabled: [] };
  for (const d of PROVIDER_CONFIGS) {
    if (turnsOnVariables(d).some((n) => env[n]?.trim())) Object.assign(p, { [d.name]: d.read(v, problems) });
  }
  const available = PROVIDER_NAMES.filter((name) => p[name] !== undefined);
  const wanted = v.list("PAYMENT_PROVIDERS", "");
  if (wanted.length === 0) {
    p.enabled = available;
  } else {
    for (const name of wanted) {
      if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
        problems.push(`PAYMENT_PROVIDERS: unknown provider "${name}" (known: ${PROVIDER_NAMES.join(", ")})`);
      } else if (!available.includes(name as ProviderName) && !sandbox) {
        problems.push(`PAYMENT_PROVIDERS: "${name}" is listed but its variables are not set`);
      }
    }
    p.enabled = available.filter((name) => wanted.includes(name));
  }
  return p;
}

