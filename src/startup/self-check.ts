import type { Config } from "../config/config.js";
import type { Logger } from "../logger.js";
import { checkPanel } from "./checks/panel.js";
import { checkProviders } from "./checks/providers.js";
import { checkPublicUrl } from "./checks/public-url.js";
import { checkTelegram } from "./checks/telegram.js";
import type { CheckResult } from "./checks/check-result.js";

export type { CheckResult };

export interface SelfCheckOptions {
  log: Logger;
  /**
   * PUBLIC_URL test: "listen" answers the one-time token on HTTP_HOST:HTTP_PORT itself when nothing else does
   * (the CLI, with no bot running); "running" counts on this process's own HTTP server (start-up).
   */
  publicUrl: "listen" | "running";
  /** Where Telegram should post updates; default PUBLIC_URL/telegram (a platform merchant's: PUBLIC_URL/telegram/<routeKey>). */
  telegramWebhookUrl?: string;
  /** Each outside call gives up after this (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Checks every party the configuration names with a harmless call each: Telegram, the panel, each enabled
 * provider, and that PUBLIC_URL reaches this program. Never creates a payment, an order or a credit.
 * Used by `npm run cli -- check`, at start-up in live mode (logged, and shown on /readyz), and meant to be
 * run per merchant later: it reads nothing but `config`.
 */
export async function runSelfCheck(config: Config, opts: SelfCheckOptions): Promise<CheckResult[]> {
  const deps = { log: opts.log, timeoutMs: opts.timeoutMs ?? 10_000, now: opts.now ?? Date.now };
  const groups = await Promise.all([
    checkTelegram(config, deps, opts.telegramWebhookUrl),
    checkPanel(config.panel, deps),
    checkProviders(config, deps),
    checkPublicUrl(config, { ...deps, mode: opts.publicUrl }),
  ]);
  return groups.flat().map((r) => ({ ...r, detail: maskSecrets(config, r.detail), ...(r.fix ? { fix: maskSecrets(config, r.fix) } : {}) }));
}

const MARK: Record<CheckResult["level"], string> = { pass: "✓", warn: "✓", note: "·", fail: "✗" };

/** `✓ Telegram: … ` / `✗ Panel: … → fix`. */
export function formatCheck(r: CheckResult): string {
  const warning = r.level === "warn" ? "warning: " : "";
  return `${MARK[r.level]} ${r.name}: ${warning}${r.detail}${r.fix ? ` → ${r.fix}` : ""}`;
}

/** Every secret of the configuration, for masking answers quoted back from outside parties. */
function configSecrets(config: Config): string[] {
  const p = config.providers;
  return [
    config.bot.token, config.bot.webhookSecret, config.panel.apiKey, config.runtime.metricsToken,
    p.raksmeypay?.profileKey, p.raksmeypay?.webhookApiKey, p.kess?.clientSecret, p.kess?.password, p.kess?.apiSecret,
    p.ahnajak?.secretKey, p.payway?.webhookToken, p.bakong?.token,
  ].filter((s): s is string => s !== undefined && s.length >= 4);
}

function maskSecrets(config: Config, text: string): string {
  return configSecrets(config).reduce((t, secret) => t.split(secret).join("***"), text);
}
