import { ConfigError, loadConfig, type Config } from "./config.js";
import type { Env } from "./reader.js";
import { misplacedVariableProblems, PROCESS_VARIABLES } from "./variable-scopes.js";

/** Refuses a merchant's variables that are not a merchant's (process-wide or unknown), naming each. */
export function assertMerchantVariables(vars: Env): void {
  const problems = misplacedVariableProblems(vars);
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * One merchant's configuration on a platform: the process-wide variables of `processEnv` (nothing else of it,
 * so the environment merchant's bot or providers never leak into another shop) with the merchant's own
 * variables, in webhook mode with the merchant's Telegram `secret_token`. Validated exactly as start-up
 * validates a single shop: one ConfigError listing every problem, the misplaced variables first.
 * `draft` (onboarding, answer by answer): what is set is checked as strictly, but what is not set yet is not missing.
 */
export function loadMerchantConfig(processEnv: Env, merchantVars: Env, opts: { webhookSecret: string; draft?: boolean }): Config {
  const misplaced = misplacedVariableProblems(merchantVars);
  const processOnly = Object.fromEntries(PROCESS_VARIABLES.map((name) => [name, processEnv[name]]));
  const env: Env = { ...merchantVars, ...processOnly, BOT_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: opts.webhookSecret };
  let config: Config;
  try {
    config = loadConfig(env, { databaseOnly: opts.draft === true });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...misplaced, ...err.problems]);
    throw err;
  }
  if (misplaced.length > 0) throw new ConfigError(misplaced);
  return config;
}
