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
}

export type RefundPlanResult = { ok: true; plan: RefundPlan } | { ok: false; reason: "not_found" | "not_paid" | "nothing_left" | "amount_too_large" | "invalid_amount" };

export interface RefundOutcome {
  refundId: number;
  reference: string;
  amountMinor: number;
  currency: Currency;
  provider: { status: "REFUNDED" | "UNSUPPORTED" | "FAILED" | "MANUAL"; message?: string };
  panel: { status: "DEBITED" | "MANUAL_REQUIRED" | "FAILED" | "NOT_CREDITED"; message?: string; amountMinor: number; currency: Currency };
}

export interface ReportPeriod {
  from: Date;
  /** Exclusive. */
  to: Date;
  label: string;
}

export interface ReportData {
  period: ReportPeriod;
  currency: Currency;
  /** One row per provider and top-up status. */
  byProviderAndStatus: { provider: string; status: string; count: number; sumMinor: number }[];
  paid: { count: number; sumMinor: number };
  refunds: { count: number; sumMinor: number };
  /** Paid minus refunded. */
  netMinor: number;
  topCustomers: { telegramId: bigint; username: string | null; panelLogin: string | null; count: number; sumMinor: number }[];
  /** Paid totals per calendar day (Asia/Phnom_Penh), every day of the period present. */
  daily: { date: string; count: number; sumMinor: number }[];
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
  refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint }): Promise<RefundOutcome | RefundPlanResult>;
  parsePeriod(text: string | undefined, now?: Date): ReportPeriod | null;
  report(period: ReportPeriod): Promise<ReportData>;
  reportCsv(period: ReportPeriod): Promise<string>;
  reportChartPng(report: ReportData): Promise<Buffer>;
  find(query: string): Promise<FindResult>;
  pending(): Promise<PendingOverview>;
  recredit(input: { reference: string; adminId: bigint; reason?: string }): Promise<RecreditOutcome>;
  manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint }): Promise<{ creditId: number; memo: string }>;
}
