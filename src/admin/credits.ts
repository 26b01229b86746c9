import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Credit, TopUp, User } from "../generated/sqlite/client.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { Currency } from "../money/money.js";
import { CreditStatus } from "../ledger/states.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { RecreditOutcome } from "./admin-service.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import { requeueHeldCredit, settleHeldFoundOnPanel } from "../ledger/held-credits.js";
import { queueManualCredit } from "../ledger/manual-credits.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import { audit } from "./audit.js";
import type { ManualCreditOutcome, ManualCreditRefusal } from "./admin-service.js";
import { byTransactionIdOrReference } from "./by-transaction-id.js";

export function createAdminCredits(deps: {
  database: MerchantDatabase;
  panel: PanelClient;
  wakeup: Wakeup;
  panelCurrency: Currency;
  /** Told when a held credit found on the panel belongs to a top-up refunded meanwhile. */
  adminChats: readonly bigint[];
  log: Logger;
  bonus?: BonusPolicy;
  now?: () => Date;
}) {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();

  /** The held credit is on the panel already: done, not sent again (its receipt and bonus as the crediter's). */
  async function settleLanded(held: Credit, topUp: (TopUp & { user: User }) | null, found: { panelPaymentId?: string }, input: { adminId: bigint; reason?: string }, outcome: string): Promise<RecreditOutcome> {
    const bonusQueued = await db.$transaction(async (tx) => {
      const queued = await settleHeldFoundOnPanel(tx, deps.database.dialect, held, topUp, found, deps.bonus, now(), deps.adminChats);
      if (queued === null) return null;
      await audit(tx, { actorId: input.adminId, action: "recredit", subject: topUp?.reference ?? held.memo, reason: input.reason, details: { creditId: held.id, outcome, memo: held.memo } });
      return queued;
    });
    if (bonusQueued === null) return { status: "nothing_held" };
    deps.wakeup.notify("notifications");
    if (bonusQueued > 0) deps.wakeup.notify("credits");
    return { status: "found_on_panel", creditId: held.id };
  }

  /**
   * Releases a held credit. Where the panel lists payments, the memo is looked up first: a credit
   * that did land is marked done instead of being sent twice. `landed`: an admin found the memo on the
   * panel by hand (a panel that cannot list payments, after an unknown outcome): marked done, nothing sent.
   */
  async function release(held: Credit, topUp: (TopUp & { user: User }) | null, input: { adminId: bigint; reason?: string; toLogin?: string; landed?: boolean }): Promise<RecreditOutcome> {
    const subject = topUp?.reference ?? held.memo;
    if (input.landed) return settleLanded(held, topUp, {}, input, "marked_landed_by_admin");
    if (deps.panel.findCredit) {
      let found: { panelPaymentId?: string } | null;
      try {
        found = await deps.panel.findCredit(held.memo);
      } catch (err) {
        // Without the lookup the credit might be sent twice: it stays held.
        return { status: "lookup_failed", message: (err as Error).message };
      }
      if (found) return settleLanded(held, topUp, found, input, "found_on_panel");
    }
    // The credit goes to the login it was paid for, whatever the customer linked since, unless an admin names another.
    const login = input.toLogin ?? held.panelLogin;
    const released = await db.$transaction(async (tx) => {
      if (!(await requeueHeldCredit(tx, held, topUp?.id ?? null, login, now()))) return false;
      const moved = login === held.panelLogin ? {} : { fromLogin: held.panelLogin };
      await audit(tx, { actorId: input.adminId, action: "recredit", subject, reason: input.reason, details: { creditId: held.id, previousError: held.lastError, login, ...moved } });
      return true;
    });
    if (!released) return { status: "nothing_held" };
    deps.wakeup.notify("credits");
    return { status: "queued", creditId: held.id };
  }

  /** Releases the first credit held for a top-up (/recredit, the CLI). */
  async function recredit(input: { reference: string; adminId: bigint; reason?: string; toLogin?: string; landed?: boolean }): Promise<RecreditOutcome> {
    const topUp = await db.topUp.findUnique({ where: { reference: input.reference }, include: { user: true } });
    if (!topUp) {
      return { status: (await findOrphan(input.reference)).status === "no_orphan" ? "not_found" : "orphan" };
    }
    const held = await db.credit.findFirst({ where: { topUpId: topUp.id, status: CreditStatus.HELD }, orderBy: { id: "asc" } });
    if (!held) {
      const done = await db.credit.count({ where: { topUpId: topUp.id, status: CreditStatus.DONE } });
      return { status: done > 0 ? "already_credited" : "nothing_held" };
    }
    return release(held, topUp, input);
  }

  /** Releases one held credit by id (the Credit button on its alert). */
  async function releaseHeld(input: { creditId: number; adminId: bigint; reason?: string }): Promise<RecreditOutcome> {
    const credit = await db.credit.findUnique({ where: { id: input.creditId } });
    if (!credit) return { status: "not_found" };
    if (credit.status === CreditStatus.DONE) return { status: "already_credited" };
    if (credit.status !== CreditStatus.HELD) return { status: "nothing_held" };
    const topUp = credit.topUpId === null ? null : await db.topUp.findUnique({ where: { id: credit.topUpId }, include: { user: true } });
    return release(credit, topUp, input);
  }

  /** The orphan payment a manual credit settles: by provider transaction id or the reference the provider sent. */
  async function findOrphan(text: string): Promise<{ status: "ok"; paymentId: number } | ManualCreditRefusal> {
    const rows = await byTransactionIdOrReference((where) => db.payment.findMany({ where: { topUpId: null, ...where }, select: { id: true, credit: { select: { id: true } } }, orderBy: { id: "asc" }, take: 2 }), text, 2);
    if (rows.length === 0) return { status: "no_orphan" };
    if (rows.length > 1) return { status: "ambiguous_orphan" };
    const credit = rows[0]!.credit;
    return credit ? { status: "already_settled", creditId: credit.id } : { status: "ok", paymentId: rows[0]!.id };
  }

  /**
   * Credits a panel login by hand (goodwill, a payment that came outside the bot), audited. With `orphan`
   * (a payment matching none of our top-ups) the credit settles that payment: linked to it, once.
   */
  async function manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint; orphan?: string }): Promise<ManualCreditOutcome> {
    const orphan = input.orphan === undefined ? undefined : await findOrphan(input.orphan);
    if (orphan && orphan.status !== "ok") return orphan;
    const paymentId = orphan?.paymentId;
    let credit;
    try {
      credit = await db.$transaction(async (tx) => {
        const row = await queueManualCredit(tx, { merchantId: deps.database.merchantId, panelLogin: input.login, amountMinor: input.amountMinor, currency: deps.panelCurrency, at: now(), ...(paymentId === undefined ? {} : { paymentId }) });
        await audit(tx, {
          actorId: input.adminId, action: "manual_credit", subject: input.login, reason: input.reason,
          details: { creditId: row.id, amountMinor: input.amountMinor, currency: deps.panelCurrency, memo: row.memo, ...(paymentId === undefined ? {} : { settlesPaymentId: paymentId }) },
        });
        return row;
      });
    } catch (err) {
      // Two admins settling one orphan at once: the payment's unique credit lets one through.
      if (paymentId !== undefined && isUniqueViolation(err)) {
        const settled = await db.credit.findUnique({ where: { paymentId }, select: { id: true } });
        return { status: "already_settled", creditId: settled?.id ?? 0 };
      }
      throw err;
    }
    deps.log.info({ creditId: credit.id, adminId: input.adminId, settlesPaymentId: paymentId }, "manual credit queued");
    deps.wakeup.notify("credits");
    return { status: "queued", creditId: credit.id, memo: credit.memo };
  }

  return { recredit, releaseHeld, manualCredit };
}
