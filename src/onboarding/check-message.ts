import type { Translate } from "../bot/i18n.js";
import type { CheckResult, ReasonParams } from "../startup/checks/check-result.js";

/** A check that did not simply pass, as one sentence in the merchant's language: what went wrong and what to do. */
export function checkSentence(t: Translate, result: CheckResult, extra: ReasonParams = {}): string {
  if (result.reason !== undefined) return t(`onboarding-check-${result.reason}`, { ...extra, ...result.params });
  return t("onboarding-check-failed", { fix: result.fix ?? result.detail });
}

/**
 * Whether a check lets the answer through. A warning does not: it is a Bakong token that expires within 14 days,
 * which the self-check only warns about on a running shop, but a new shop must not start with.
 */
export const checkAccepts = (result: CheckResult): boolean => result.level === "pass" || result.level === "note";

/** The variables an answer sets whose refusal has a sentence of its own; any other is a provider's credential. */
const FIX_FOR: Readonly<Record<string, string>> = {
  BOT_TOKEN: "onboarding-fix-bot-token",
  PANEL_URL: "onboarding-fix-panel-url",
  PANEL_API_KEY: "onboarding-fix-panel-key",
  PANEL_PAYMENT_METHOD: "onboarding-fix-payment-method",
  ADMIN_CHAT_ID: "onboarding-fix-admin-chat",
  MERCHANT_NAME: "onboarding-fix-shop-name",
};

/**
 * An answer start-up's validation refuses: what to do, in the merchant's language, for each variable refused (a
 * problem starts with its variables' names), then the validation's own words (English, naming the variable).
 */
export function invalidAnswer(t: Translate, problems: readonly string[]): string {
  const fixes = new Set(problems.flatMap((p) => p.split(":")[0]!.split(", ").map((name) => FIX_FOR[name.trim()] ?? "onboarding-fix-credentials")));
  return t("onboarding-invalid", { fix: [...fixes].map((key) => t(key)).join("\n"), problems: problems.join("\n") });
}
