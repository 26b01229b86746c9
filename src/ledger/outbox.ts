import type { Db } from "../db/database.js";
import { NotificationStatus } from "./transitions.js";

type Tx = Pick<Db, "notification">;

/** What the notifier delivers; the bot layer renders each kind in the recipient's language. */
export type NotificationPayload =
  | { kind: "topup.credited"; topUpId: number; late: boolean }
  /** `paymentId` names the held payment (absent: a credit the crediter held). */
  | { kind: "topup.held"; topUpId: number; paymentId?: number }
  | { kind: "topup.expired"; topUpId: number }
  | { kind: "topup.refunded"; refundId: number }
  | { kind: "admin.payment"; paymentId: number }
  /** A further payment on a paid order, credited automatically (signed source). */
  | { kind: "admin.repeat"; paymentId: number }
  /** Held for an admin; the reason is the held credit's lastError. */
  | { kind: "admin.flagged"; paymentId: number }
  /** No top-up of ours: recorded without a credit. */
  | { kind: "admin.orphan"; paymentId: number; reason: string }
  /** A verified notification that is not a payment but that admins should see once. */
  | { kind: "admin.notice"; provider: string; reference: string | null; detail: string }
  /** `paymentId` names the payment the held credit pays for (absent for a bonus or manual credit): the digest lists it. */
  | { kind: "admin.held"; paymentId?: number; creditId: number }
  /** A credit landed on the panel after its top-up was refunded: no receipt, no bonus; an admin looks. */
  | { kind: "admin.after-refund"; creditId: number }
  | { kind: "admin.outage"; component: string; state: "down" | "up"; detail: string }
  /** Built by the notifier, never queued: many payment notes for one admin chat as one message. */
  | { kind: "admin.digest"; paymentIds: number[] }
  | { kind: "admin.daily"; date: string }
  | { kind: "admin.recredited"; creditId: number };

// The notifier tells audiences apart by these prefixes (src/ledger/notification-queue.ts KIND_PREFIX).
type Check<T extends true> = T;
export type KindsHaveAudiencePrefix = Check<NotificationPayload["kind"] extends `topup.${string}` | `admin.${string}` ? true : false>;

/**
 * Queues a message of `merchantId` (the merchant of the row it reports on) in the same transaction as the change
 * it reports. The dedupe key makes the same event produce one message per chat however many times or instances
 * it is reported from; keys are per merchant (two shops may share an admin chat).
 */
export async function enqueueNotification(tx: Tx, merchantId: number, chatIds: readonly bigint[], dedupeKey: string, payload: NotificationPayload, now = new Date()): Promise<void> {
  for (const chatId of chatIds) {
    await tx.notification.upsert({
      where: { merchantId_dedupeKey: { merchantId, dedupeKey: `${dedupeKey}@${chatId}` } },
      create: { merchantId, dedupeKey: `${dedupeKey}@${chatId}`, chatId, kind: payload.kind, payload: JSON.stringify(payload), status: NotificationStatus.QUEUED, nextAttemptAt: now },
      update: {},
    });
  }
}
