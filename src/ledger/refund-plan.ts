import { bonusFor } from "../money/bonus.js";
import type { Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "./states.js";
import type { BonusPolicy } from "./bonus-credit.js";
import { toPanelAmount } from "./decide.js";

/** A top-up's money rows as a refund sees them, read under the top-up's row lock. */
export interface RefundState {
  topUp: { currency: string; panelLogin: string };
  payments: { id: number; amountMinor: number; currency: string }[];
  credits: {
    id: number;
    kind: string;
    status: string;
    paymentId: number | null;
    panelLogin: string;
    amountMinor: number;
    rate: string | null;
    basisMinor: number | null;
    errorKind: string | null;
    memo: string;
  }[];
  refunds: { amountMinor: number; fromPanelMinor: number; bonusBackMinor: number; panelLogin: string | null }[];
}

export interface RefundRules {
  panelCurrency: Currency;
  khrPerUsd: number;
  bonus?: BonusPolicy;
}

/**
 * A credit not yet on the panel that the refund cuts to `amountMinor` on the panel (cancelled at 0); a payment
 * credit keeps `basisMinor` of its payment, a bonus credit has none.
 */
export interface CreditCut {
  creditId: number;
  basisMinor: number | null;
  amountMinor: number;
}

export interface RefundDecision {
  paidMinor: number;
  refundedBeforeMinor: number;
  refundableMinor: number;
  amountMinor: number;
  /** Of the amount, what was on the panel already (top-up currency); the rest is cut from credits not yet there. */
  fromPanelMinor: number;
  cuts: CreditCut[];
  /** Taken back from the panel (panel currency), deposit bonus included. */
  panelDebitMinor: number;
  bonusBackMinor: number;
  /** The login the debit is taken from: the one the credits went to. */
  panelLogin: string;
  /** Nothing will be paid any more: the top-up is refunded. */
  full: boolean;
  /** Payment credits of this top-up still waiting (queued or held) once the refund is recorded. */
  stillOwed: boolean;
}

export type RefundProblem =
  /** A credit is at the panel right now or its outcome is unknown: refunding could take back what never landed, or miss what did. */
  | { reason: "credit_in_flight"; creditId: number; memo: string; status: string }
  | { reason: "not_paid" | "nothing_left" | "invalid_amount" | "amount_too_large" | "not_held" }
  /** The credits went to several logins and one debit cannot take this much back from one of them. */
  | { reason: "several_logins"; login: string; atMostMinor: number; currency: Currency };

const NOT_ON_PANEL: readonly string[] = [CreditStatus.QUEUED, CreditStatus.HELD];
const IN_FLIGHT: readonly string[] = [CreditStatus.SENDING, CreditStatus.RECONCILE];

function basisOf(c: RefundState["credits"][number], payments: Map<number, { amountMinor: number }>): number {
  return c.basisMinor ?? payments.get(c.paymentId!)?.amountMinor ?? 0;
}

/**
 * What a refund of `amountMinor` (the whole refundable amount when absent) does to a top-up, decided from
 * its rows alone. The refund is taken first from payment credits that never reached the panel (the held
 * one named first, then the newest), then from the panel. The deposit bonus follows what is still paid:
 * the bonus of the amount left under the tier rules, never more than was granted.
 */
export function decideRefund(state: RefundState, rules: RefundRules, request: { amountMinor?: number; heldCreditId?: number }): RefundDecision | RefundProblem {
  const currency = state.topUp.currency as Currency;
  const payments = new Map(state.payments.filter((p) => p.currency === currency).map((p) => [p.id, p]));
  const paidMinor = [...payments.values()].reduce((s, p) => s + p.amountMinor, 0);
  if (paidMinor === 0) return { reason: "not_paid" };

  // A held credit whose panel call had an unknown outcome may be on the panel: the same as one in flight.
  const unsure = state.credits.find((c) => IN_FLIGHT.includes(c.status) || (c.status === CreditStatus.HELD && c.errorKind === "unknown"));
  if (unsure) return { reason: "credit_in_flight", creditId: unsure.id, memo: unsure.memo, status: unsure.status };

  const refundedBeforeMinor = state.refunds.reduce((s, r) => s + r.amountMinor, 0);
  const refundableMinor = paidMinor - refundedBeforeMinor;
  if (refundableMinor <= 0) return { reason: "nothing_left" };

  const paymentCredits = state.credits.filter((c) => c.kind === CreditKind.PAYMENT && c.paymentId !== null && payments.has(c.paymentId));
  const named = request.heldCreditId === undefined ? undefined : paymentCredits.find((c) => c.id === request.heldCreditId && c.status === CreditStatus.HELD);
  if (request.heldCreditId !== undefined && !named) return { reason: "not_held" };
  const amountMinor = request.amountMinor ?? (named ? Math.min(basisOf(named, payments), refundableMinor) : refundableMinor);
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return { reason: "invalid_amount" };
  if (amountMinor > refundableMinor) return { reason: "amount_too_large" };

  const waiting = paymentCredits.filter((c) => NOT_ON_PANEL.includes(c.status)).sort((a, b) => (a === named ? -1 : b === named ? 1 : b.id - a.id));
  const cuts: CreditCut[] = [];
  let left = amountMinor;
  for (const c of waiting) {
    if (left === 0) break;
    const basis = basisOf(c, payments);
    const cut = Math.min(basis, left);
    if (cut === 0) continue;
    left -= cut;
    const rate = c.rate === null ? rules.khrPerUsd : Number(c.rate);
    cuts.push({ creditId: c.id, basisMinor: basis - cut, amountMinor: toPanelAmount(basis - cut, currency, rules.panelCurrency, rate).amountMinor });
  }
  const fromPanelMinor = left;
  const done = paymentCredits.filter((c) => c.status === CreditStatus.DONE);
  const stillPaid = refundableMinor - amountMinor;
  const stillOwed = waiting.some((c) => !cuts.some((cut) => cut.creditId === c.id && cut.basisMinor === 0));

  // Debits come off the login the newest credit still on the panel went to.
  const onPanel = new Map<string, { basis: number; rate: number }>();
  for (const c of done.sort((a, b) => a.id - b.id)) {
    const entry = onPanel.get(c.panelLogin) ?? { basis: 0, rate: rules.khrPerUsd };
    onPanel.set(c.panelLogin, { basis: entry.basis + basisOf(c, payments), rate: c.rate === null ? rules.khrPerUsd : Number(c.rate) });
  }
  for (const r of state.refunds) {
    const login = r.panelLogin ?? state.topUp.panelLogin;
    const entry = onPanel.get(login);
    if (entry) entry.basis -= r.fromPanelMinor;
  }
  const newest = done.at(-1);
  const panelLogin = newest?.panelLogin ?? state.topUp.panelLogin;
  const there = onPanel.get(panelLogin) ?? { basis: 0, rate: rules.khrPerUsd };
  if (fromPanelMinor > there.basis && onPanel.size > 1) return { reason: "several_logins", login: panelLogin, atMostMinor: Math.max(0, there.basis) + (amountMinor - fromPanelMinor), currency };
  const creditBack = fromPanelMinor === 0 ? 0 : toPanelAmount(fromPanelMinor, currency, rules.panelCurrency, there.rate).amountMinor;

  const onPanelBefore = [...onPanel.values()].reduce((s, e) => s + e.basis, 0);
  const bonusBackMinor = takeBackBonus(state, rules, { currency, stillPaid, onPanelBefore, onPanelAfter: onPanelBefore - fromPanelMinor, rate: there.rate }, cuts);
  return {
    paidMinor, refundedBeforeMinor, refundableMinor, amountMinor, fromPanelMinor, cuts,
    panelDebitMinor: creditBack + bonusBackMinor, bonusBackMinor, panelLogin,
    full: stillPaid === 0, stillOwed,
  };
}

/**
 * Cuts the deposit bonus down to what the amount still paid earns under the tier rules (TOPUP_BONUS), never
 * more than was granted; with no tiers configured any more, in proportion to what stays on the panel. Bonus
 * credits not yet on the panel are cut first (added to `cuts`), the rest is taken back from the panel.
 * Returns that panel part.
 */
function takeBackBonus(
  state: RefundState,
  rules: RefundRules,
  at: { currency: Currency; stillPaid: number; onPanelBefore: number; onPanelAfter: number; rate: number },
  cuts: CreditCut[],
): number {
  const bonuses = state.credits.filter((c) => c.kind === CreditKind.BONUS);
  const onPanel = bonuses.filter((c) => c.status === CreditStatus.DONE).reduce((s, c) => s + c.amountMinor, 0) - state.refunds.reduce((s, r) => s + r.bonusBackMinor, 0);
  const waiting = bonuses.filter((c) => NOT_ON_PANEL.includes(c.status)).sort((a, b) => b.id - a.id);
  const granted = onPanel + waiting.reduce((s, c) => s + c.amountMinor, 0);
  if (granted <= 0) return 0;
  const earned =
    rules.bonus && rules.bonus.tiers.tiers.length > 0 ? toPanelAmount(bonusFor(at.stillPaid, at.currency, rules.bonus.tiers), at.currency, rules.panelCurrency, at.rate).amountMinor
    : at.onPanelBefore <= 0 ? granted
    : Number((BigInt(granted) * BigInt(Math.max(0, at.onPanelAfter))) / BigInt(at.onPanelBefore));
  let excess = granted - Math.min(granted, earned);
  for (const c of waiting) {
    if (excess === 0) break;
    const cut = Math.min(c.amountMinor, excess);
    excess -= cut;
    cuts.push({ creditId: c.id, basisMinor: null, amountMinor: c.amountMinor - cut });
  }
  return excess;
}
