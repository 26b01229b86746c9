import type { MerchantDatabase } from "../db/merchant-scope.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";

/** What one merchant's notifier messages to customers (receipts, held, expired, refunded) read about their top-ups. */
export function createReceipts({ db }: MerchantDatabase) {
  return {
    async topUpWithCustomer(topUpId: number) {
      return db.topUp.findUnique({ where: { id: topUpId }, include: { user: true } });
    },

    /** The top-up's latest landed credit that is not a bonus, with the payment it credits. */
    async landedCredit(topUpId: number) {
      return db.credit.findFirst({ where: { topUpId, status: CreditStatus.DONE, kind: { not: CreditKind.BONUS } }, orderBy: { id: "desc" }, include: { payment: true } });
    },

    /** The bonus granted on the top-up (landed, held or queued; not cancelled), in minor units of the panel currency. */
    async bonusMinor(topUpId: number): Promise<number> {
      const bonus = await db.credit.aggregate({ where: { topUpId, kind: CreditKind.BONUS, status: { not: CreditStatus.CANCELLED } }, _sum: { amountMinor: true } });
      return bonus._sum.amountMinor ?? 0;
    },

    /** The payment that was held: the one named, else the top-up's latest. Null when the top-up has no such payment. */
    async heldPayment(topUpId: number, paymentId: number | undefined) {
      return paymentId === undefined
        ? db.payment.findFirst({ where: { topUpId }, orderBy: { id: "desc" } })
        : db.payment.findFirst({ where: { id: paymentId, topUpId } });
    },

    async refundWithCustomer(refundId: number) {
      return db.refund.findUnique({ where: { id: refundId }, include: { topUp: { include: { user: true } } } });
    },
  };
}

export type Receipts = ReturnType<typeof createReceipts>;
