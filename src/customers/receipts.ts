import type { MerchantDatabase } from "../db/merchant-scope.js";

/** What one merchant's notifier messages to customers (held, expired, refunded) read about their top-ups; a receipt's facts come from the ledger's hot path. */
export function createReceipts({ db }: MerchantDatabase) {
  return {
    async topUpWithCustomer(topUpId: number) {
      return db.topUp.findUnique({ where: { id: topUpId }, include: { user: true } });
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
