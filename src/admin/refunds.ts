import type { ProviderName } from "../config/config.js";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Refund, TopUp } from "../generated/sqlite/client.js";
import type { Logger } from "../logger.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import { decideRefund, type RefundRules } from "../ledger/refund-plan.js";
import { markRefundReturned, NOT_SENT, openRefund, PENDING_PROVIDER_STATUSES, recordRefundResult, refundPending, refundState, stopRefund, takeStoppedRefund } from "../ledger/refunds.js";
import type { Currency } from "../money/money.js";
import { topUpRef, type Providers } from "../payments/topups.js";
import { PanelError, type PanelClient } from "../panel/panel-client.js";
import type { ConfirmReturnedOutcome, RefundOutcome, RefundPlanResult } from "./admin-service.js";
import { audit } from "./audit.js";

export interface RefundDeps {
  database: MerchantDatabase;
  providers: Providers;
  panel: PanelClient;
  wakeup: Wakeup;
  panelCurrency: Currency;
  khrPerUsd: number;
  bonus?: BonusPolicy;
  log: Logger;
  now?: () => Date;
}

type ProviderResult = RefundOutcome["provider"];
type PanelResult = RefundOutcome["panel"];

export function createRefunds(deps: RefundDeps) {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const rules: RefundRules = { panelCurrency: deps.panelCurrency, khrPerUsd: deps.khrPerUsd, ...(deps.bonus ? { bonus: deps.bonus } : {}) };
  const canDebit = deps.panel.debit !== undefined;

  /** The customer's balance as the panel tells it now; undefined where it cannot. */
  async function panelBalance(login: string): Promise<number | undefined> {
    if (!deps.panel.findUser || !deps.panel.capabilities.findUser) return undefined;
    try {
      return (await deps.panel.findUser(login))?.balanceMinor;
    } catch {
      return undefined;
    }
  }

  /** What a refund would do, for the admin to confirm; nothing is changed. */
  async function planRefund(reference: string, amountMinor?: number, heldCreditId?: number): Promise<RefundPlanResult> {
    const found = await db.topUp.findUnique({ where: { reference }, select: { id: true } });
    if (!found) return { ok: false, reason: "not_found" };
    const state = await refundState(db, found.id);
    const decision = decideRefund(state, rules, { ...(amountMinor === undefined ? {} : { amountMinor }), ...(heldCreditId === undefined ? {} : { heldCreditId }) });
    if ("reason" in decision) return { ok: false, ...decision };
    const panel = decision.fromPanelMinor === 0 && decision.bonusBackMinor === 0 ? "not_credited" : canDebit ? "debit" : "manual";
    const balanceMinor = panel === "not_credited" ? undefined : await panelBalance(decision.panelLogin);
    return {
      ok: true,
      plan: {
        topUp: state.topUp,
        refundableMinor: decision.refundableMinor,
        refundedBeforeMinor: decision.refundedBeforeMinor,
        amountMinor: decision.amountMinor,
        currency: state.topUp.currency as Currency,
        provider: deps.providers.get(state.topUp.provider as ProviderName)?.refund ? "automatic" : "manual",
        panel,
        panelLogin: decision.panelLogin,
        panelDebitMinor: decision.panelDebitMinor,
        bonusTakeBackMinor: decision.bonusBackMinor,
        notCreditedMinor: decision.amountMinor - decision.fromPanelMinor,
        ...(balanceMinor === undefined ? {} : { panelBalanceMinor: balanceMinor }),
        panelCurrency: deps.panelCurrency,
      },
    };
  }

  async function callProvider(topUp: TopUp, amountMinor: number, reason: string): Promise<ProviderResult> {
    const adapter = deps.providers.get(topUp.provider as ProviderName);
    if (!adapter?.refund) return { status: "MANUAL", message: "this provider has no refund API: return the money from its dashboard or by bank transfer" };
    const payment = await db.payment.findFirstOrThrow({ where: { topUpId: topUp.id }, orderBy: { id: "asc" } });
    try {
      const r = await adapter.refund(topUpRef(topUp), payment.providerTxnId, amountMinor, reason);
      return r.status === "refunded" ? { status: "REFUNDED", message: r.providerRef } : r.status === "unsupported" ? { status: "UNSUPPORTED", message: r.message } : { status: "FAILED", message: r.message };
    } catch (err) {
      return { status: "FAILED", message: (err as Error).message };
    }
  }

  /** Takes the credit (and its bonus share) back from the panel. FAILED stops the refund before the provider is asked. */
  async function takeBack(row: Refund, topUp: TopUp): Promise<PanelResult> {
    const base = { amountMinor: row.panelDebitMinor, bonusMinor: row.bonusBackMinor, currency: deps.panelCurrency };
    if (row.panelDebitMinor === 0) return { status: "NOT_CREDITED", message: "the refunded part never reached the panel: its credit is cancelled or cut", ...base };
    if (!deps.panel.debit) return { status: "MANUAL_REQUIRED", message: "this panel has no deduction API: deduct the balance by hand in the panel's admin", ...base };
    try {
      await deps.panel.debit(row.panelLogin ?? topUp.panelLogin, row.panelDebitMinor, `KHQR REFUND ${topUp.reference} ${row.id}`);
      return { status: "DEBITED", ...base };
    } catch (err) {
      const unknown = err instanceof PanelError && err.kind === "unknown";
      const message = unknown ? `no answer from the panel: check whether it deducted before anything else (${(err as Error).message})` : (err as Error).message;
      return { status: unknown ? "UNKNOWN" : "FAILED", message, ...base };
    }
  }

  /** Asks the provider and records both outcomes: the money goes back, or waits for an admin to return it by hand. */
  async function finish(row: Refund, topUp: TopUp, panel: PanelResult, reason: string, adminId: bigint, action: string): Promise<RefundOutcome> {
    const provider = await callProvider(topUp, row.amountMinor, reason);
    const pending = refundPending(provider.status);
    await db.$transaction(async (tx) => {
      await recordRefundResult(tx, row, topUp, { provider, panel });
      await audit(tx, { actorId: adminId, action, subject: topUp.reference, reason, details: { refundId: row.id, amountMinor: row.amountMinor, currency: row.currency, provider, panel, pending } });
    });
    if (!pending) deps.wakeup.notify("notifications");
    deps.log.info({ reference: topUp.reference, refundId: row.id, provider: provider.status, panel: panel.status, pending }, "refund recorded");
    return { refundId: row.id, reference: topUp.reference, amountMinor: row.amountMinor, currency: row.currency as Currency, provider, panel, pending, stopped: false };
  }

  /**
   * Refunds in this order: plan and record it atomically (cutting what never reached the panel), take the
   * credit back from the panel where it can, and only then ask the provider. A panel that would not give
   * the credit back stops the refund before the money leaves: an admin may still refund anyway (audited).
   */
  async function refund(input: { reference: string; amountMinor?: number; reason: string; adminId: bigint; heldCreditId?: number; expectedRefundedMinor?: number }): Promise<RefundOutcome | RefundPlanResult> {
    const opened = await openRefund(db, { ...input, rules, at: now() });
    if (!opened.ok) return { ok: false, ...opened.problem };
    const { refund: row, topUp } = opened;
    const panel = await takeBack(row, topUp);
    if (panel.status !== "FAILED" && panel.status !== "UNKNOWN") return finish(row, topUp, panel, input.reason, input.adminId, "refund");
    await db.$transaction(async (tx) => {
      await stopRefund(tx, row, { status: panel.status, message: panel.message ?? "" });
      await audit(tx, { actorId: input.adminId, action: "refund_stopped", subject: topUp.reference, reason: input.reason, details: { refundId: row.id, amountMinor: row.amountMinor, panel } });
    });
    deps.log.warn({ reference: topUp.reference, refundId: row.id, panel: panel.status }, "refund stopped: the panel did not take the credit back");
    return { refundId: row.id, reference: topUp.reference, amountMinor: row.amountMinor, currency: row.currency as Currency, provider: { status: NOT_SENT }, panel, pending: true, stopped: true };
  }

  /** A refund stopped because the panel did not take the credit back: an admin refunds anyway, once, audited. */
  async function refundAnyway(input: { refundId: number; adminId: bigint }): Promise<RefundOutcome | { status: "not_stopped" }> {
    const row = await db.refund.findUnique({ where: { id: input.refundId }, include: { topUp: true } });
    if (!row || !(await db.$transaction((tx) => takeStoppedRefund(tx, row.id)))) return { status: "not_stopped" };
    const { topUp, ...plain } = row;
    const panel: PanelResult = { status: "NOT_TAKEN_BACK", message: `refunded anyway: ${row.panelDetail ?? "the panel did not take the credit back"}`, amountMinor: row.panelDebitMinor, bonusMinor: row.bonusBackMinor, currency: deps.panelCurrency };
    return finish(plain, topUp, panel, row.reason, input.adminId, "refund_anyway");
  }

  /** The admin returned a pending refund's money by hand: once, audited, and the customer is told. */
  async function confirmReturned(input: { refundId: number; adminId: bigint }): Promise<ConfirmReturnedOutcome> {
    const row = await db.refund.findUnique({ where: { id: input.refundId }, include: { topUp: true } });
    if (!row) return { status: "not_found" };
    const done = await db.$transaction(async (tx) => {
      if (!(await markRefundReturned(tx, row, row.topUp.chatId))) return false;
      await audit(tx, { actorId: input.adminId, action: "refund_returned", subject: row.topUp.reference, details: { refundId: row.id, amountMinor: row.amountMinor, currency: row.currency, before: row.providerStatus } });
      return true;
    });
    if (!done) return { status: "already_done" };
    deps.wakeup.notify("notifications");
    return { status: "confirmed", reference: row.topUp.reference, amountMinor: row.amountMinor, currency: row.currency as Currency };
  }

  /** Refunds of this top-up still waiting for an admin: money to return by hand, or a stopped one to decide. */
  async function pendingRefunds(reference: string) {
    const rows = await db.refund.findMany({ where: { topUp: { reference }, providerStatus: { in: [...PENDING_PROVIDER_STATUSES, NOT_SENT] } }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ refundId: r.id, amountMinor: r.amountMinor, currency: r.currency as Currency, createdAt: r.createdAt, stopped: r.providerStatus === NOT_SENT }));
  }

  return { planRefund, refund, refundAnyway, confirmReturned, pendingRefunds };
}
