/**
 * Why a check did not simply pass, as a stable code: the self-check prints its English `detail` and `fix`; onboarding
 * by chat turns the code into one translated sentence (locales: `onboarding-check-<reason>`) with `params`.
 */
export type CheckReason =
  | "telegram-unreachable" | "bot-token-refused" | "telegram-unavailable"
  | "panel-unreachable" | "panel-not-a-panel" | "panel-key-refused" | "panel-unavailable" | "panel-method-misspelled" | "panel-method-unseen" | "panel-method-unknown"
  | "provider-unreachable" | "provider-credentials-refused" | "provider-failed" | "provider-unchecked"
  | "bakong-expired" | "bakong-expires-soon" | "bakong-outside-cambodia" | "bakong-account-unknown"
  | "payway-invalid";

/** Values a reason's sentence names: never a secret. */
export type ReasonParams = Record<string, string | number>;

/**
 * One line of the self-check. `level`: pass (✓), warn (✓ with a warning: works now, needs attention soon),
 * note (neutral: cannot be checked without a payment, or not needed), fail (✗: fix it before customers pay).
 */
export interface CheckResult {
  /** The party checked: "Telegram", "Panel", "RaksmeyPay", … */
  name: string;
  ok: boolean;
  level: "pass" | "warn" | "note" | "fail";
  /** What was asked and what came back, in plain words. */
  detail: string;
  /** What to change, naming the variable; present on fail and warn. */
  fix?: string;
  /** Present on fail and warn, and on a note that says what could not be checked. */
  reason?: CheckReason;
  params?: ReasonParams;
}

type Why = { reason: CheckReason; params?: ReasonParams };
const why = (w: Why | undefined) => (w ? { reason: w.reason, ...(w.params ? { params: w.params } : {}) } : {});

export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, level: "pass", detail });
export const note = (name: string, detail: string, w?: Why): CheckResult => ({ name, ok: true, level: "note", detail, ...why(w) });
export const warn = (name: string, detail: string, fix: string, w?: Why): CheckResult => ({ name, ok: true, level: "warn", detail, fix, ...why(w) });
export const fail = (name: string, detail: string, fix: string, w?: Why): CheckResult => ({ name, ok: false, level: "fail", detail, fix, ...why(w) });
