import { randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { Currency } from "../payments/money.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../payments/states.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { RecreditOutcome } from "./admin-service.js";
import { moveCredit, moveTopUp } from "../ledger/moves.js";
import { audit } from "./audit.js";

export function createAdminCredits(deps: { database: Database; panel: PanelClient; wakeup: Wakeup; panelCurrency: Currency; log: Logger; now?: () => Date }) {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();

  /**
   * Releases the credits held for a top-up. Where the panel lists payments, the memo is looked up
   * first: a credit that did land is marked done instead of being sent twice.
   */
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
    if (deps.panel.findCredit) {
      const found = await deps.panel.findCredit(held.memo);
      if (found) {
        await db.$transaction(async (tx) => {
          await moveCredit(tx, held.id, CreditStatus.DONE, { doneAt: now(), panelPaymentId: found.panelPaymentId ?? null, lastError: null }, { from: [CreditStatus.HELD], required: true });
          await moveTopUp(tx, topUp.id, TopUpStatus.CREDITED, { creditedAt: now() });
          await audit(tx, { actorId: input.adminId, action: "recredit", subject: topUp.reference, reason: input.reason, details: { creditId: held.id, outcome: "found_on_panel", memo: held.memo } });
        });
        return { status: "found_on_panel", creditId: held.id };
      }
    }
    // After a relink the credit goes to the customer's current login.
    const login = topUp.user.panelLogin ?? held.panelLogin;
    await db.$transaction(async (tx) => {
      await moveCredit(
        tx, held.id, CreditStatus.QUEUED,
        { panelLogin: login, attempts: 0, firstFailureAt: null, nextAttemptAt: now(), lastError: null, errorKind: null, claimedBy: null, claimedUntil: null },
        { from: [CreditStatus.HELD], required: true },
      );
      await moveTopUp(tx, topUp.id, TopUpStatus.PAID, {}, { from: [TopUpStatus.HELD] });
      await audit(tx, { actorId: input.adminId, action: "recredit", subject: topUp.reference, reason: input.reason, details: { creditId: held.id, previousError: held.lastError, login } });
    });
    deps.wakeup.notify("credits");
    return { status: "queued", creditId: held.id };
  }

  /** Credits a panel login by hand (goodwill, a payment that came outside the bot), audited. */
  async function manualCredit(input: { login: string; amountMinor: number; reason: string; adminId: bigint }): Promise<{ creditId: number; memo: string }> {
    const memo = `KHQR MANUAL ${randomBytes(5).toString("hex")}`;
    const credit = await db.$transaction(async (tx) => {
      const row = await tx.credit.create({
        data: { panelLogin: input.login, amountMinor: input.amountMinor, currency: deps.panelCurrency, memo, kind: CreditKind.MANUAL, status: CreditStatus.QUEUED, nextAttemptAt: now(), createdAt: now() },
      });
      await audit(tx, { actorId: input.adminId, action: "manual_credit", subject: input.login, reason: input.reason, details: { creditId: row.id, amountMinor: input.amountMinor, currency: deps.panelCurrency, memo } });
      return row;
    });
    deps.log.info({ creditId: credit.id, adminId: input.adminId }, "manual credit queued");
    deps.wakeup.notify("credits");
    return { creditId: credit.id, memo };
  }

  return { recredit, manualCredit };
}
