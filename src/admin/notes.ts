import type { MerchantDatabase } from "../db/merchant-scope.js";
import { enqueueNotification } from "../ledger/outbox.js";

const DIGEST_READ_CHUNK = 500;

/** What the admin notes (the notifier's messages to admins and their buttons) read about payments and credits. */
export function createAdminNotes({ db, merchantId }: MerchantDatabase) {
  return {
    /** A payment with its credit, its top-up and that top-up's customer. */
    async paymentWithTopUp(paymentId: number) {
      return db.payment.findUnique({ where: { id: paymentId }, include: { topUp: { include: { user: true } }, credit: true } });
    },

    async payment(paymentId: number) {
      return db.payment.findUnique({ where: { id: paymentId } });
    },

    /** The payments a digest sums up, oldest first, each with its top-up and credit. */
    async digestPayments(paymentIds: number[]) {
      const rows = [];
      // SQLite takes at most 999 parameters a statement; a burst's digest covers up to 1,000 payments.
      for (let i = 0; i < paymentIds.length; i += DIGEST_READ_CHUNK) {
        // Only what the digest shows: a burst's payments with their raw provider bodies would stall the event loop.
        rows.push(
          ...(await db.payment.findMany({
            where: { id: { in: paymentIds.slice(i, i + DIGEST_READ_CHUNK) } },
            select: {
              id: true, provider: true, providerTxnId: true, reference: true, amountMinor: true, currency: true, observedAt: true, topUpId: true,
              topUp: { select: { reference: true } }, credit: { select: { status: true, lastError: true } },
            },
          })),
        );
      }
      return rows.sort((a, b) => a.id - b.id);
    },

    /** A credit and the top-up it pays for (null when the credit has none, or does not exist). */
    async creditWithTopUp(creditId: number) {
      const credit = await db.credit.findUnique({ where: { id: creditId } });
      const topUp = credit?.topUpId == null ? null : await db.topUp.findUnique({ where: { id: credit.topUpId } });
      return { credit, topUp };
    },

    /** A credit an admin released (/recredit, the alert's Credit button) has landed: queues the note /recredit promised. */
    async noteRecreditLanded(creditId: number, reference: string, adminChats: readonly bigint[]): Promise<void> {
      const audits = await db.auditLog.findMany({ where: { action: "recredit", subject: reference }, select: { details: true } });
      if (!audits.some((a) => (JSON.parse(a.details) as { creditId?: number; outcome?: string }).creditId === creditId)) return;
      await enqueueNotification(db, merchantId, adminChats, `recredited:${creditId}`, { kind: "admin.recredited", creditId });
    },
  };
}

export type AdminNotes = ReturnType<typeof createAdminNotes>;
