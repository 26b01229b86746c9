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
}

export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, level: "pass", detail });
export const note = (name: string, detail: string): CheckResult => ({ name, ok: true, level: "note", detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: true, level: "warn", detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: false, level: "fail", detail, fix });
