import type { Database } from "../db/database.js";
import type { Credit, TopUp, User } from "../generated/sqlite/client.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { Currency } from "../payments/money.js";
import { CreditStatus } from "../payments/states.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { RecreditOutcome } from "./admin-service.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import { requeueHeldCredit, settleHeldFoundOnPanel } from "../ledger/held-credits.js";
import { queueManualCredit } from "../ledger/manual-credits.js";
import { audit } from "./audit.js";

export function createAdminCredits(deps: { database: Database; panel: PanelClient; wakeup: Wakeup; panelCurrency: Currency; log: Logger; bonus?: BonusPolicy; now?: () => Date }) {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();

  /**
   * Releases a held credit. Where the panel lists payments, the memo is looked up first: a credit
   * that did land is marked done instead of being sent twice.
   */
  async function release(held: Credit, topUp: (TopUp & { user: User }) | null, input: { adminId: bigint; reason?: string }): Promise<RecreditOutcome> {
    const subject = topUp?.reference ?? held.memo;
    if (deps.panel.findCredit) {
      const found = await deps.panel.findCredit(held.memo);
      if (found) {
        const bonusQueued = await db.$transaction(async (tx) => {
          const queued = await settleHeldFoundOnPanel(tx, deps.database.dialect, held, topUp, found, deps.bonus, now());
          if (queued === null) return null;
          await audit(tx, { actorId: input.adminId, action: "recredit", subject, reason: input.reason, details: { creditId: held.id, outcome: "found_on_panel", memo: held.memo } });
          return queued;
        });
        if (bonusQueued === null) return { status: "nothing_held" };
        deps.wakeup.notify("notifications");
        if (bonusQueued > 0) deps.wakeup.notify("credits");
        return { status: "found_on_panel", creditId: held.id };
      }
    }
    // After a relink the credit goes to the customer's current login.
    const login = topUp?.user.panelLogin ?? held.panelLogin;
    const released = await db.$transaction(async (tx) => {
      if (!(await requeueHeldCredit(tx, held, topUp?.id ?? null, login, now()))) return false;
      await audit(tx, { actorId: input.adminId, action: "recredit", subject, reason: input.reason, details: { creditId: held.id, previousError: held.lastError, login } });
      return true;
    });
    if (!released) return { status: "nothing_held" };
    deps.wakeup.notify("credits");
    return { status: "queued", creditId: held.id };
  }

  /** Releases the first credit held for a top-up (/recredit, the CLI). */
  async function recredit(input: { reference: string; adminId: bigint; reason?: string }): Promise<RecreditOutcome> {
    const topUp = await db.topUp.findUnique({ where: { reference: input.reference }, include: { user: true } });
    if (!topUp) {
      const orphan = await db.payment.findFirst({ where: { topUpId: null, OR: [{ reference: input.reference }, { providerTxnId: input.reference }] }, select: { id: true } });
      return { status: orphan ? "orphan" : "not_found" };
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

  /** Credits a panel login by hand (goodwill, a payment that came outside the bot), audited. */
  async function manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint }): Promise<{ creditId: number; memo: string }> {
    const credit = await db.$transaction(async (tx) => {
      const row = await queueManualCredit(tx, { panelLogin: input.login, amountMinor: input.amountMinor, currency: deps.panelCurrency, at: now() });
      await audit(tx, { actorId: input.adminId, action: "manual_credit", subject: input.login, reason: input.reason, details: { creditId: row.id, amountMinor: input.amountMinor, currency: deps.panelCurrency, memo: row.memo } });
      return row;
    });
    deps.log.info({ creditId: credit.id, adminId: input.adminId }, "manual credit queued");
    deps.wakeup.notify("credits");
    return { creditId: credit.id, memo: credit.memo };
  }

  return { recredit, releaseHeld, manualCredit };
}
