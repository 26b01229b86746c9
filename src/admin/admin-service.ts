import type { Credit, Payment, TopUp, User } from "../generated/sqlite/client.js";
import type { Currency } from "../money/money.js";

export interface RefundPlan {
  topUp: TopUp;
  /** Paid and not yet refunded, in the top-up's currency. */
  refundableMinor: number;
  /** Refunded before this one: a confirmation refunds only while it is still this (two confirmations refund once). */
  refundedBeforeMinor: number;
  amountMinor: number;
  currency: Currency;
  /** "automatic" when the provider has a refund API; otherwise the admin returns the money by hand. */
  provider: "automatic" | "manual";
  /** "debit" when the panel can take the credit back; otherwise the admin deducts it by hand. */
  panel: "debit" | "manual" | "not_credited";
  /** The login the credit is taken back from: the one it went to. */
  panelLogin: string;
  /** Taken back from the panel (panel currency), deposit bonus included. */
  panelDebitMinor: number;
  /** Deposit bonus this refund takes back (its share of the refund), in the panel's currency. */
  bonusTakeBackMinor: number;
  /** The part of the refund whose credit never reached the panel: cut or cancelled, nothing taken back. */
  notCreditedMinor: number;
  /** The customer's balance on the panel now, where the panel tells it. */
  panelBalanceMinor?: number;
  panelCurrency: Currency;
}

export type RefundProblemResult =
  | { ok: false; reason: "not_found" | "not_paid" | "nothing_left" | "amount_too_large" | "invalid_amount" | "not_held" | "changed" }
  /** A credit of the top-up is at the panel now (or its outcome is unknown): try again once it is settled. */
  | { ok: false; reason: "credit_in_flight"; creditId: number; memo: string; status: string }
  /** The credits went to several logins: at most `atMostMinor` can be refunded in one go from `login`. */
  | { ok: false; reason: "several_logins"; login: string; atMostMinor: number; currency: Currency };

export type RefundPlanResult = { ok: true; plan: RefundPlan } | RefundProblemResult;

export interface RefundOutcome {
  refundId: number;
  reference: string;
  amountMinor: number;
  currency: Currency;
  /** NOT_SENT: the refund stopped before the provider was asked (the panel did not take the credit back). */
  provider: { status: "REFUNDED" | "UNSUPPORTED" | "FAILED" | "MANUAL" | "NOT_SENT"; message?: string };
  /** `amountMinor` includes `bonusMinor`, the deposit bonus taken back with the credit. */
  panel: { status: "DEBITED" | "MANUAL_REQUIRED" | "FAILED" | "UNKNOWN" | "NOT_CREDITED" | "NOT_TAKEN_BACK"; message?: string; amountMinor: number; bonusMinor: number; currency: Currency };
  /** True until the money is back with the customer: the provider did not refund, an admin returns it by hand and confirms. */
  pending: boolean;
  /** The panel did not take the credit back, so the provider was not asked: an admin may refund anyway. */
  stopped: boolean;
}

export type ConfirmReturnedOutcome =
  | { status: "confirmed"; reference: string; amountMinor: number; currency: Currency }
  | { status: "already_done" | "not_found" };

export interface ReportPeriod {
  from: Date;
  /** Exclusive. */
  to: Date;
  label: string;
}

export interface ReportData {
  period: ReportPeriod;
  currency: Currency;
  /** The zone of the period's days and hours, the CSV's times and the chart. */
  timeZone: string;
  /** Payments received in the period in the report's currency, whatever became of their top-up. */
  paid: { count: number; sumMinor: number };
  /** What was paid, per provider: adds up to `paid`. */
  byProvider: { provider: string; count: number; sumMinor: number }[];
  /** Payments in another currency (held for an admin): not in `paid`. */
  otherCurrencies: { currency: Currency; count: number; sumMinor: number }[];
  /** Top-ups created in the period, counted by state; what was only ordered is no revenue. */
  topUpsByStatus: { status: string; count: number }[];
  refunds: { count: number; sumMinor: number };
  /** Paid minus refunded. */
  netMinor: number;
  /** Deposit bonuses credited on the panel in the period, in the panel's currency. */
  bonuses: { count: number; sumMinor: number; currency: Currency };
  topCustomers: { telegramId: bigint; username: string | null; panelLogin: string | null; count: number; sumMinor: number }[];
  /** Paid totals per hour (a one-day period) or per local day, every bucket of the period present. */
  chart: { unit: "hour" | "day"; buckets: { label: string; count: number; sumMinor: number }[] };
}

export interface TimelineEvent {
  at: Date;
  event: "created" | "observed" | "credited" | "held" | "expired" | "cancelled" | "refunded" | "audit";
  detail: string;
}

export type FindResult =
  | { kind: "topup"; topUp: TopUp; user: User; timeline: TimelineEvent[] }
  | { kind: "user"; user: User; topUps: TopUp[] }
  /** Payments found by provider transaction id or by the reference the provider sent (orphans have no top-up). */
  | { kind: "payments"; payments: (Payment & { topUpReference: string | null })[] }
  | { kind: "none" };

export interface PendingOverview {
  openTopUps: TopUp[];
  heldCredits: (Credit & { reference: string | null })[];
  /** Verified payments that match none of our top-ups: no credit until an admin acts. */
  orphanPayments: Payment[];
  /** How many of each there are: the lists above are the first 50. */
  totals: { openTopUps: number; heldCredits: number; orphanPayments: number };
}

export type RecreditOutcome =
  | { status: "queued"; creditId: number }
  | { status: "found_on_panel"; creditId: number }
  | { status: "already_credited" }
  | { status: "nothing_held" }
  /** A payment without a top-up of ours: it needs /credit to a login. */
  | { status: "orphan" }
  | { status: "not_found" }
  /** The panel's payment list could not be read: nothing was sent, the credit stays held. */
  | { status: "lookup_failed"; message: string };

export type ManualCreditRefusal =
  | { status: "no_orphan" | "ambiguous_orphan" }
  /** That orphan payment was settled already, by this credit. */
  | { status: "already_settled"; creditId: number };

export type ManualCreditOutcome = { status: "queued"; creditId: number; memo: string } | ManualCreditRefusal;

/** What admins can do, whatever the front end (bot commands, operator CLI). Every change is audited. */
export interface AdminService {
  planRefund(reference: string, amountMinor?: number): Promise<RefundPlanResult>;
  /** `heldCreditId`: refund the payment behind this held credit (its amount; nothing to take back from the panel). */
  refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint; heldCreditId?: number; expectedRefundedMinor?: number }): Promise<RefundOutcome | RefundPlanResult>;
  /** A refund stopped because the panel did not take the credit back: the admin refunds anyway (audited). */
  refundAnyway(input: { refundId: number; adminId: bigint }): Promise<RefundOutcome | { status: "not_stopped" }>;
  /** Refunds of this top-up still waiting for an admin: money to return by hand, or stopped ones to decide. */
  pendingRefunds(reference: string): Promise<{ refundId: number; amountMinor: number; currency: Currency; createdAt: Date; stopped: boolean }[]>;
  /** An admin returned a pending refund's money by hand: the refund is done and the customer is told. */
  confirmReturned(input: { refundId: number; adminId: bigint }): Promise<ConfirmReturnedOutcome>;
  parsePeriod(text: string | undefined, now?: Date): ReportPeriod | null;
  report(period: ReportPeriod): Promise<ReportData>;
  /** The period's top-ups as CSV, streamed: whole lines per chunk, the header first. */
  reportCsv(period: ReportPeriod): AsyncIterable<string>;
  reportChartPng(report: ReportData): Promise<Buffer>;
  find(query: string): Promise<FindResult>;
  pending(): Promise<PendingOverview>;
  /**
   * Releases a held credit to the login it was paid for; `toLogin`, named by an admin, sends it elsewhere (audited);
   * `landed`: the admin found its memo on the panel by hand, so it is marked done and nothing is sent.
   */
  recredit(input: { reference: string; adminId: bigint; reason?: string; toLogin?: string; landed?: boolean }): Promise<RecreditOutcome>;
  /** Releases one held credit (the alert's Credit button), whether or not it belongs to a top-up. */
  releaseHeld(input: { creditId: number; adminId: bigint; reason?: string }): Promise<RecreditOutcome>;
  /** `orphan`: the transaction id (or sent reference) of a payment matching none of our top-ups that this credit settles. */
  manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint; orphan?: string }): Promise<ManualCreditOutcome>;
}
