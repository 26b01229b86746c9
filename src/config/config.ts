import { z } from "zod";
import { khqrAmountString } from "../khqr/amount.js";
import { NO_BONUS, parseBonusTiers, type BonusTiers } from "../money/bonus.js";
import { CURRENCIES, formatMoney, parseAmount, type Currency } from "../money/money.js";
import { redactUrlCredentials } from "./redact-url.js";

export const PROVIDER_NAMES = ["raksmeypay", "kess", "ahnajak", "payway", "bakong"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export const PANEL_TYPES = ["perfectpanel", "perfectpanel-v1", "socpanel"] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export interface RaksmeyPayConfig { baseUrl: string; profileId: string; profileKey: string; webhookApiKey: string; qrTemplate: 1 | 2 }
export interface KessConfig {
  baseUrl: string; clientId: string; clientSecret: string; username: string; password: string;
  sellerCode: string; apiSecret: string; signType: "MD5" | "HMAC-SHA256"; serviceCode: string;
}
export interface AhnajakConfig { baseUrl: string; profileId: string; secretKey: string; payloadTemplate?: Record<string, string> }
export interface PayWayConfig { bakongId: string; merchantId: string; acquiringBank: string; data: string; mcc: string; webhookToken: string }
export interface BakongConfig { apiUrl: string; token: string; accountId: string }
export interface ProvidersConfig {
  enabled: ProviderName[];
  raksmeypay?: RaksmeyPayConfig;
  kess?: KessConfig;
  ahnajak?: AhnajakConfig;
  payway?: PayWayConfig;
  bakong?: BakongConfig;
}

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
    /** Panel credit calls in flight at once: at least the credits per second wanted × the panel's latency in seconds. */
    concurrency: number;
    /** Connections to the panel: at least `concurrency`, or calls wait for a free connection. */
    panelMaxConnections: number;
  };
}

/** Every variable this program reads; `.env.example` documents each one. */
export const SECRET_VARIABLES = [
  "BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "RAKSMEYPAY_PROFILE_KEY", "RAKSMEYPAY_WEBHOOK_API_KEY",
  "KESS_CLIENT_SECRET", "KESS_PASSWORD", "KESS_API_SECRET", "AHNAJAK_SECRET_KEY", "PAYWAY_WEBHOOK_TOKEN",
  "BAKONG_TOKEN", "PANEL_API_KEY",
  "METRICS_TOKEN",
] as const;

type Env = Record<string, string | undefined>;

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

const OWN_VARIABLES: Record<ProviderName | "panel" | "bot", string[]> = {
  bot: ["BOT_TOKEN"],
  raksmeypay: ["RAKSMEYPAY_PROFILE_ID", "RAKSMEYPAY_PROFILE_KEY", "RAKSMEYPAY_WEBHOOK_API_KEY"],
  kess: ["KESS_CLIENT_ID", "KESS_CLIENT_SECRET", "KESS_USERNAME", "KESS_PASSWORD", "KESS_SELLER_CODE", "KESS_API_SECRET"],
  ahnajak: ["AHNAJAK_PROFILE_ID", "AHNAJAK_SECRET_KEY"],
  payway: ["PAYWAY_BAKONG_ID", "PAYWAY_MERCHANT_ID", "PAYWAY_DATA", "PAYWAY_WEBHOOK_TOKEN"],
  bakong: ["BAKONG_TOKEN", "BAKONG_ACCOUNT_ID"],
  panel: ["PANEL_URL", "PANEL_API_KEY"],
};

/** True when nothing that identifies a live deployment is set: the program then runs its sandbox. */
export function isUnconfigured(env: Env): boolean {
  return Object.values(OWN_VARIABLES).flat().every((name) => !env[name]?.trim());
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
  if (env.METRICS_TOKEN?.trim() && !/^[A-Za-z0-9._~+/-]{16,256}$/.test(env.METRICS_TOKEN.trim())) {
    problems.push("METRICS_TOKEN: 16-256 characters of A-Z, a-z, 0-9 and . _ ~ + / - (sent as Authorization: Bearer <token>)");
  }
  if (providers.payway && providers.payway.webhookToken.length < 16) {
    problems.push("PAYWAY_WEBHOOK_TOKEN: must be at least 16 characters (it is the webhook's only protection)");
  }

  const config: Config = {
    sandbox,
    dailyReportAtMinutes: v.timeOfDay("DAILY_REPORT_AT"),
    retentionDays: v.int("RETENTION_DAYS", 90, 1, 36_500),
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
    crediter: {
      retryForSeconds: v.int("CREDIT_RETRY_SECONDS", 3600, 0, 30 * 86_400),
      concurrency: v.int("CREDIT_CONCURRENCY", 16, 1, 1000),
      panelMaxConnections: v.int("PANEL_MAX_CONNECTIONS", 16, 1, 1000),
    },
  };
  if (config.crediter.panelMaxConnections < config.crediter.concurrency) {
    problems.push(`PANEL_MAX_CONNECTIONS: must be at least CREDIT_CONCURRENCY (${config.crediter.concurrency}), or credits wait for a free connection`);
  }
  if (live && config.bot.adminIds.length === 0 && config.bot.adminChatId === undefined) {
    problems.push("ADMIN_IDS, ADMIN_CHAT_ID: neither is set; held payments, orphan payments and outage alerts would reach no one (set at least one)");
  }
  if (live && providers.enabled.length === 0) {
    problems.push("PAYMENT_PROVIDERS: no payment provider is configured (set the variables of at least one provider)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function loadProviders(env: Env, v: Reader, problems: string[], sandbox: boolean): ProvidersConfig {
  const configured = (name: ProviderName) => OWN_VARIABLES[name].some((n) => env[n]?.trim());
  const p: ProvidersConfig = { enabled: [] };
  if (configured("raksmeypay")) {
    p.raksmeypay = {
      baseUrl: v.url("RAKSMEYPAY_BASE_URL", false) ?? "https://mail.raksmeypay.com",
      profileId: v.str("RAKSMEYPAY_PROFILE_ID", true) ?? "",
      profileKey: v.str("RAKSMEYPAY_PROFILE_KEY", true) ?? "",
      webhookApiKey: v.str("RAKSMEYPAY_WEBHOOK_API_KEY", true) ?? "",
      qrTemplate: v.oneOf("RAKSMEYPAY_QR_TEMPLATE", ["1", "2"] as const, "2") === "1" ? 1 : 2,
    };
  }
  if (configured("kess")) {
    p.kess = {
      baseUrl: v.url("KESS_BASE_URL", true) ?? "",
      clientId: v.str("KESS_CLIENT_ID", true) ?? "",
      clientSecret: v.str("KESS_CLIENT_SECRET", true) ?? "",
      username: v.str("KESS_USERNAME", true) ?? "",
      password: v.str("KESS_PASSWORD", true) ?? "",
      sellerCode: v.str("KESS_SELLER_CODE", true) ?? "",
      apiSecret: v.str("KESS_API_SECRET", true) ?? "",
      signType: v.oneOf("KESS_SIGN_TYPE", ["MD5", "HMAC-SHA256"] as const, "MD5"),
      serviceCode: v.str("KESS_SERVICE_CODE", false) ?? "KHQR",
    };
  }
  if (configured("ahnajak")) {
    p.ahnajak = {
      baseUrl: v.url("AHNAJAK_BASE_URL", false) ?? "https://abapay.kesor.cam",
      profileId: v.str("AHNAJAK_PROFILE_ID", true) ?? "",
      secretKey: v.str("AHNAJAK_SECRET_KEY", true) ?? "",
      payloadTemplate: v.payloadTemplate("AHNAJAK_PAYLOAD_TEMPLATE"),
    };
  }
  if (configured("payway")) {
    p.payway = {
      bakongId: v.str("PAYWAY_BAKONG_ID", true) ?? "",
      merchantId: v.str("PAYWAY_MERCHANT_ID", true) ?? "",
      acquiringBank: v.str("PAYWAY_ACQUIRING_BANK", false) ?? "ABA Bank",
      data: v.str("PAYWAY_DATA", true) ?? "",
      mcc: v.mcc("PAYWAY_MCC", "5999"),
      webhookToken: v.str("PAYWAY_WEBHOOK_TOKEN", true) ?? "",
    };
  }
  if (configured("bakong")) {
    p.bakong = {
      apiUrl: v.url("BAKONG_API_URL", false) ?? "https://api-bakong.nbc.gov.kh",
      token: v.str("BAKONG_TOKEN", true) ?? "",
      accountId: v.str("BAKONG_ACCOUNT_ID", true) ?? "",
    };
    if (p.bakong.accountId && !p.bakong.accountId.includes("@")) problems.push("BAKONG_ACCOUNT_ID: a Bakong account id looks like name@bank");
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

type Reader = ReturnType<typeof reader>;

/** What @BotFather hands out: `<bot id>:<35 characters>`. */
const BOT_TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{35}$/;

/** A loopback address is reached by nothing outside this machine (a local Bot API server, tests): http there is fine. */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === "https:" || hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Plain decimal digits only: `0x10`, `1e3`, `0b101`, `1.0` and `+5` are not numbers here, whatever Number() says. */
function decimalInteger(text: string, negative: boolean): number | undefined {
  if (!(negative ? /^-?\d+$/ : /^\d+$/).test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function reader(env: Env, problems: string[]) {
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const check = <T>(name: string, schema: z.ZodType<T>, value: unknown, why: string): T | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    problems.push(`${name}: ${why}`);
    return undefined;
  };
  return {
    str(name: string, required: boolean): string | undefined {
      const value = raw(name);
      if (value === undefined && required) problems.push(`${name}: required but not set`);
      return value;
    },
    url(name: string, required: boolean): string | undefined {
      const value = raw(name);
      if (value === undefined) {
        if (required) problems.push(`${name}: required but not set`);
        return undefined;
      }
      return check(name, z.url({ protocol: /^https?$/ }), value, `"${value}" is not an http(s) URL`)?.replace(/\/+$/, "");
    },
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = decimalInteger(value, min < 0);
      if (n !== undefined && n >= min && n <= max) return n;
      problems.push(`${name}: must be a whole number from ${min} to ${max} in decimal digits (got "${value}")`);
      return fallback;
    },
    oneOf<T extends string>(name: string, options: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      return check(name, z.enum(options as [T, ...T[]]), value, `must be one of ${options.join(", ")} (got "${value}")`) ?? fallback;
    },
    list(name: string, fallback: string): string[] {
      return (raw(name) ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
    },
    amount(name: string, currency: Currency, fallback: string): number {
      return this.amountText(name, raw(name) ?? fallback, currency);
    },
    amountText(name: string, text: string, currency: Currency): number {
      const parsed = parseAmount(text, currency);
      if (parsed.ok && parsed.minor > 0) return parsed.minor;
      problems.push(`${name}: "${text}" is not a positive ${currency} amount`);
      return 0;
    },
    /** A user id is positive (is-admin compares it with the sender's); a chat id may be a group's, which is negative. */
    telegramId(name: string, text: string, opts: { negative: boolean } = { negative: false }): number {
      const n = decimalInteger(text, opts.negative);
      if (n !== undefined && n !== 0) return n;
      problems.push(`${name}: "${text}" is not a Telegram ${opts.negative ? "chat" : "user"} id (decimal digits${opts.negative ? ", a group's with a leading -" : ""})`);
      return 0;
    },
    /** Without a fallback the variable is required. */
    maxLen(name: string, max: number, fallback: string | undefined): string {
      const value = raw(name) ?? fallback;
      if (value === undefined) {
        problems.push(`${name}: required but not set`);
        return "";
      }
      if (value.length > max) problems.push(`${name}: at most ${max} characters (KHQR limit), got ${value.length}`);
      return value;
    },
    /** The token is a secret: a problem describes its shape, never quotes it. */
    botToken(name: string, opts: { required: boolean; checked: boolean }): string | undefined {
      const value = this.str(name, opts.required);
      if (value !== undefined && opts.checked && !BOT_TOKEN_SHAPE.test(value)) {
        problems.push(`${name}: does not look like a token from @BotFather (the bot's id in digits, a colon, then 35 letters, digits, _ or -)`);
      }
      return value;
    },
    mcc(name: string, fallback: string): string {
      const value = raw(name) ?? fallback;
      if (!/^\d{4}$/.test(value)) problems.push(`${name}: must be 4 digits`);
      return value;
    },
    databaseUrl(name: string, fallback: string): string {
      const value = raw(name) ?? fallback;
      if (!/^(file:|postgres(ql)?:\/\/)/.test(value)) problems.push(`${name}: must start with file:, postgres:// or postgresql://`);
      return value;
    },
    redisUrl(name: string): string | undefined {
      const value = raw(name);
      if (value !== undefined && !/^rediss?:\/\//.test(value)) problems.push(`${name}: must start with redis:// or rediss://`);
      return value;
    },
    bonusTiers(name: string, currency: Currency): BonusTiers {
      const value = raw(name);
      if (value === undefined) return { ...NO_BONUS, currency };
      const parsed = parseBonusTiers(value, currency);
      if (parsed.ok) return parsed.bonus;
      problems.push(`${name}: ${parsed.problem}`);
      return { ...NO_BONUS, currency };
    },
    timeOfDay(name: string): number | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
      if (!match) {
        problems.push(`${name}: "${value}" is not a time of day as HH:MM (00:00 to 23:59)`);
        return undefined;
      }
      return Number(match[1]) * 60 + Number(match[2]);
    },
    payloadTemplate(name: string): Record<string, string> | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        problems.push(`${name}: must be the JSON template configured at Ahnajak, e.g. {"order_id":"{{transaction_id}}",...}`);
        return undefined;
      }
      return check(name, z.record(z.string(), z.string()), parsed, "must be a JSON object of field name to {{variable}}");
    },
  };
}
