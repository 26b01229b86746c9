import type { RefundOutcome, RefundPlan, RefundPlanResult } from "../admin/admin-service.js";
import { money } from "../bot/format.js";

type PlanProblem = Extract<RefundPlanResult, { ok: false }>["reason"];

const PROBLEMS: Partial<Record<PlanProblem, string>> = {
  not_found: "no top-up with this reference",
  not_paid: "this top-up was never paid: nothing to refund",
  nothing_left: "everything paid was already refunded",
  amount_too_large: "the amount is more than what is left to refund",
  invalid_amount: "not a valid amount",
};

export function planProblemText(reason: PlanProblem, reference: string): string {
  return `${reference}: ${PROBLEMS[reason] ?? reason}`;
}

export function refundPlanText(plan: RefundPlan, reason: string): string {
  const providerWay = plan.provider === "automatic" ? `returned by ${plan.topUp.provider}'s refund API` : `returned by you by hand (${plan.topUp.provider} has no refund API)`;
  const panelWay =
    plan.panel === "debit" ? `taken back from panel login ${plan.topUp.panelLogin}`
    : plan.panel === "manual" ? `deducted by you by hand on the panel (login ${plan.topUp.panelLogin}): the panel cannot debit`
    : "nothing to take back on the panel (it was never credited)";
  return [
    `refund plan for ${plan.topUp.reference}: ${money(plan.amountMinor, plan.currency)} of ${money(plan.refundableMinor, plan.currency)} refundable`,
    `  money:  ${providerWay}`,
    `  credit: ${panelWay}`,
    `  reason: ${reason}`,
  ].join("\n");
}

export function refundOutcomeText(o: RefundOutcome): string {
  return [
    `refund #${o.refundId} of ${o.reference}: ${money(o.amountMinor, o.currency)}`,
    `  provider: ${o.provider.status}${o.provider.message ? ` (${o.provider.message})` : ""}`,
    `  panel:    ${o.panel.status} ${money(o.panel.amountMinor, o.panel.currency)}${o.panel.message ? ` (${o.panel.message})` : ""}`,
  ].join("\n");
}
