import { PANEL_VARIABLES } from "./panel-variables.js";
import { PROVIDER_CONFIGS } from "./providers/index.js";

export interface MerchantVariable {
  /** Kept encrypted in a platform's merchant store; masked wherever it could be shown. */
  secret: boolean;
}

/**
 * What a single-shop `.env` sets for its shop: the bot, its admins, limits, bonus and branding, the providers
 * (from their descriptors) and the panel. On a platform each merchant has its own set.
 */
export const MERCHANT_VARIABLES: Readonly<Record<string, MerchantVariable>> = {
  BOT_TOKEN: { secret: true },
  ADMIN_IDS: { secret: false },
  ADMIN_CHAT_ID: { secret: false },
  BOT_APP_NAME: { secret: false },
  BOT_APP_ICON_URL: { secret: false },
  MERCHANT_NAME: { secret: false },
  MERCHANT_CITY: { secret: false },
  TOPUP_CURRENCY: { secret: false },
  TOPUP_MIN: { secret: false },
  TOPUP_MAX: { secret: false },
  TOPUP_PRESETS: { secret: false },
  TOPUP_TTL_SECONDS: { secret: false },
  TOPUP_BONUS: { secret: false },
  KHR_PER_USD: { secret: false },
  DAILY_REPORT_AT: { secret: false },
  PAYMENT_PROVIDERS: { secret: false },
  ...Object.fromEntries(PROVIDER_CONFIGS.flatMap((d) => Object.entries(d.variables).map(([name, spec]) => [name, { secret: spec.secret }]))),
  ...PANEL_VARIABLES,
};

/**
 * What belongs to the running process whatever shop it serves: where its data and logs go, how it listens and is
 * reached, how its workers are sized, and the platform's own keys and operator's bot. BOT_MODE and TELEGRAM_WEBHOOK_SECRET are here
 * because a platform sets them for each merchant (webhook mode, a random secret_token).
 */
export const PROCESS_VARIABLES: readonly string[] = [
  "DATABASE_URL", "REDIS_URL", "HTTP_HOST", "HTTP_PORT", "SANDBOX_HTTP_HOST", "PUBLIC_URL", "LOG_LEVEL", "METRICS_TOKEN",
  "TELEGRAM_API_ROOT", "BOT_MODE", "TELEGRAM_WEBHOOK_SECRET", "RETENTION_DAYS",
  "CREDIT_RETRY_SECONDS", "CREDIT_CONCURRENCY", "PANEL_MAX_CONNECTIONS",
  "MASTER_KEY", "NEW_MASTER_KEY", "PLATFORM_BOT_TOKEN", "PLATFORM_ADMIN_IDS",
];

/** The platform's own secrets, kept out of logs like the shops' (SECRET_VARIABLES). */
export const PLATFORM_SECRET_VARIABLES = ["MASTER_KEY", "NEW_MASTER_KEY", "PLATFORM_BOT_TOKEN"] as const;

/** Whether the environment describes a shop of its own (any merchant variable set): a platform may have none. */
export function environmentHasShop(env: Readonly<Record<string, string | undefined>>): boolean {
  return Object.keys(MERCHANT_VARIABLES).some((name) => env[name]?.trim());
}

/** One problem per variable of a merchant's file that is not a merchant's: process-wide, or unknown to this program. */
export function misplacedVariableProblems(vars: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(vars).flatMap((name) => {
    if (Object.hasOwn(MERCHANT_VARIABLES, name)) return [];
    if (PROCESS_VARIABLES.includes(name)) return [`${name}: process-wide (the platform's environment or the platform sets it), not a merchant's: remove it from the merchant's file`];
    return [`${name}: not a variable of this program (a typo? a secret under a wrong name would be stored unencrypted): remove or rename it`];
  });
}
