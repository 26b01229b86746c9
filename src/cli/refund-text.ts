import type { RefundOutcome, RefundPlan, RefundPlanResult } from "../admin/admin-service.js";
import { money } from "../bot/format.js";

type PlanProblem = Extract<RefundPlanResult, { ok: false }>;

const PROBLEMS: Partial<Record<PlanProblem["reason"], string>> = {
  not_found: "no top-up with this reference",
  not_paid: "this top-up was never paid: nothing to refund",
  nothing_left: "everything paid was already refunded",
  amount_too_large: "the amount is more than what is left to refund",
  invalid_amount: "not a valid amount",
  changed: "another refund was recorded since this plan was made: nothing changed; run it again to see the new plan",
};

export function planProblemText(problem: RefundPlanResult, reference: string): string {
  if (problem.ok) return `${reference}: not refunded`;
  if (problem.reason === "credit_in_flight") {
    return problem.status === "HELD"
      ? `${reference}: not refunded: credit #${problem.creditId} is held with an unknown outcome (the panel may have applied it): look for memo "${problem.memo}" on the panel first`
      : `${reference}: not refunded: credit #${problem.creditId} is being sent to the panel and its outcome is not known yet; nothing changed, try again in a minute`;
  }
  if (problem.reason === "several_logins") {
    return `${reference}: not refunded: its credits went to several logins; refund at most ${money(problem.atMostMinor, problem.currency)} now (taken from ${problem.login}), then the rest`;
  }
  return `${reference}: ${PROBLEMS[problem.reason] ?? problem.reason}`;
}

export function refundPlanText(plan: RefundPlan, reason: string): string {
  const providerWay = plan.provider === "automatic" ? `returned by ${plan.topUp.provider}'s refund API` : `returned by you by hand (${plan.topUp.provider} has no refund API)`;
  const debit = money(plan.panelDebitMinor, plan.panelCurrency);
  const panelWay =
    plan.panel === "debit" ? `${debit} taken back from panel login ${plan.panelLogin} first; if the panel refuses, the refund stops before any money leaves`
    : plan.panel === "manual" ? `${debit} deducted by you by hand on the panel (login ${plan.panelLogin}): the panel cannot debit`
    : "nothing to take back on the panel (it was never credited)";
  return [
    `refund plan for ${plan.topUp.reference}: ${money(plan.amountMinor, plan.currency)} of ${money(plan.refundableMinor, plan.currency)} refundable`,
    `  money:  ${providerWay}`,
    `  credit: ${panelWay}`,
    ...(plan.notCreditedMinor > 0 && plan.panel !== "not_credited" ? [`  of it:  ${money(plan.notCreditedMinor, plan.currency)} never reached the panel: its credit is cut, nothing to take back`] : []),
    ...(plan.bonusTakeBackMinor > 0 ? [`  bonus:  ${money(plan.bonusTakeBackMinor, plan.panelCurrency)} of deposit bonus taken back with the credit`] : []),
    ...(plan.panelBalanceMinor === undefined ? [] : [`  balance on the panel now: ${money(plan.panelBalanceMinor, plan.panelCurrency)}`]),
    `  reason: ${reason}`,
  ].join("\n");
}

export function refundOutcomeText(o: RefundOutcome): string {
  return [
    `refund #${o.refundId} of ${o.reference}: ${money(o.amountMinor, o.currency)}`,
    `  provider: ${o.provider.status}${o.provider.message ? ` (${o.provider.message})` : ""}`,
    `  panel:    ${o.panel.status} ${money(o.panel.amountMinor, o.panel.currency)}${o.panel.message ? ` (${o.panel.message})` : ""}`,
    ...(o.panel.bonusMinor > 0 ? [`  bonus:    ${money(o.panel.bonusMinor, o.panel.currency)} of that is deposit bonus`] : []),
    o.stopped
      ? `  stopped:  nothing refunded: the panel did not take the credit back. Deduct it by hand, then press "Refund anyway" in the bot (/refund ${o.reference} shows the button)`
      : o.pending
        ? `  pending:  return the money by hand, then press "Money returned" in the bot (/refund ${o.reference} shows the button); the customer is told then`
        : "  done:     the customer has been told",
  ].join("\n");
}
