import type { Credit, Payment, TopUp, User } from "../generated/sqlite/client.js";
import type { Currency } from "../payments/money.js";

export interface RefundPlan {
  topUp: TopUp;
  /** Paid and not yet refunded, in the top-up's currency. */
  refundableMinor: number;
  amountMinor: number;
  currency: Currency;
  /** "automatic" when the provider has a refund API; otherwise the admin returns the money by hand. */
  provider: "automatic" | "manual";
  /** "debit" when the panel can take the credit back; otherwise the admin deducts it by hand. */
  panel: "debit" | "manual" | "not_credited";
  /** Deposit bonus this refund takes back with the credit, in the panel's currency (its share of the refund). */
  bonusTakeBackMinor: number;
  panelCurrency: Currency;
}

export type RefundPlanResult = { ok: true; plan: RefundPlan } | { ok: false; reason: "not_found" | "not_paid" | "nothing_left" | "amount_too_large" | "invalid_amount" | "not_held" };

export interface RefundOutcome {
  refundId: number;
  reference: string;
  amountMinor: number;
  currency: Currency;
  provider: { status: "REFUNDED" | "UNSUPPORTED" | "FAILED" | "MANUAL"; message?: string };
  /** `amountMinor` includes `bonusMinor`, the deposit bonus taken back with the credit. */
  panel: { status: "DEBITED" | "MANUAL_REQUIRED" | "FAILED" | "NOT_CREDITED"; message?: string; amountMinor: number; bonusMinor: number; currency: Currency };
  /** True until the money is back with the customer: the provider did not refund, an admin returns it by hand and confirms. */
  pending: boolean;
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
}

export type RecreditOutcome =
  | { status: "queued"; creditId: number }
  | { status: "found_on_panel"; creditId: number }
  | { status: "already_credited" }
  | { status: "nothing_held" }
  /** A payment without a top-up of ours: it needs /credit to a login. */
  | { status: "orphan" }
  | { status: "not_found" };

/** What admins can do, whatever the front end (bot commands, operator CLI). Every change is audited. */
export interface AdminService {
  planRefund(reference: string, amountMinor?: number): Promise<RefundPlanResult>;
  /** `heldCreditId`: refund the payment behind this held credit (its amount; nothing to take back from the panel). */
  refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint; heldCreditId?: number }): Promise<RefundOutcome | RefundPlanResult>;
  /** Refunds of this top-up still waiting for an admin to return the money by hand. */
  pendingRefunds(reference: string): Promise<{ refundId: number; amountMinor: number; currency: Currency; createdAt: Date }[]>;
  /** An admin returned a pending refund's money by hand: the refund is done and the customer is told. */
  confirmReturned(input: { refundId: number; adminId: bigint }): Promise<ConfirmReturnedOutcome>;
  parsePeriod(text: string | undefined, now?: Date): ReportPeriod | null;
  report(period: ReportPeriod): Promise<ReportData>;
  /** The period's top-ups as CSV, streamed: whole lines per chunk, the header first. */
  reportCsv(period: ReportPeriod): AsyncIterable<string>;
  reportChartPng(report: ReportData): Promise<Buffer>;
  find(query: string): Promise<FindResult>;
  pending(): Promise<PendingOverview>;
  recredit(input: { reference: string; adminId: bigint; reason?: string }): Promise<RecreditOutcome>;
  /** Releases one held credit (the alert's Credit button), whether or not it belongs to a top-up. */
  releaseHeld(input: { creditId: number; adminId: bigint; reason?: string }): Promise<RecreditOutcome>;
  manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint }): Promise<{ creditId: number; memo: string }>;
}
