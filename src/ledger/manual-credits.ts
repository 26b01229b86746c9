import { randomBytes } from "node:crypto";
import type { Db } from "../db/database.js";
import type { Credit } from "../generated/sqlite/client.js";
import type { Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "./states.js";

type Tx = Pick<Db, "credit">;

/**
 * Queues a credit an admin gives by hand (goodwill, a payment that came outside the bot) under a memo of its
 * own. `paymentId`: the orphan payment it settles, linked to it; a payment has at most one credit (unique),
 * so a second admin cannot settle the same orphan again.
 */
export async function queueManualCredit(tx: Tx, input: { merchantId: number; panelLogin: string; amountMinor: number; currency: Currency; at: Date; paymentId?: number }): Promise<Credit> {
  const memo = `KHQR MANUAL ${randomBytes(5).toString("hex")}`;
  return tx.credit.create({
    data: {
      merchantId: input.merchantId, panelLogin: input.panelLogin, amountMinor: input.amountMinor, currency: input.currency, memo, kind: CreditKind.MANUAL, status: CreditStatus.QUEUED,
      nextAttemptAt: input.at, createdAt: input.at, paymentId: input.paymentId ?? null,
    },
  });
}
