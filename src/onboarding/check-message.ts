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
