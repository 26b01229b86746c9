import type { Notification } from "../generated/sqlite/client.js";
import type { ReceiptFacts } from "./receipt-facts.js";
import { CreditStatus } from "./states.js";
import { parseState } from "./transitions.js";

/** Customers' messages (receipts) or admins' notes: the notifier serves customers first. */
export type Audience = "customers" | "admins";

/**
 * What every kind of each audience starts with (checked on NotificationPayload in src/ledger/outbox.ts):
 * the due queries read `substr(kind, 1, 6)` off the notifications_audience_due_idx index.
 */
export const KIND_PREFIX = { customers: "topup.", admins: "admin." } as const satisfies Record<Audience, string>;

/** A credit in one of these states has not reached the panel yet (its receipt is still to come). */
export const OPEN_CREDIT = [CreditStatus.QUEUED, CreditStatus.SENDING, CreditStatus.RECONCILE] as const;

/** A failed delivery: queued again at `nextAttemptAt`, or FAILED for good. */
export interface Retry {
  id: number;
  attempts: number;
  nextAttemptAt: Date;
  giveUp: boolean;
}

/**
 * The notifier's hot path (src/ledger/sqlite-notification-queue.ts, src/ledger/postgres-notification-queue.ts).
 * `due` reads off the audience index (status, kind prefix, nextAttemptAt); `claim` takes a lease on rows just before they are
 * sent, so several instances never send one twice; `sent` and `retry` settle them.
 */
export interface NotificationQueue {
  /** Every merchant's due messages: each row's `merchantId` says whose bot sends it. */
  due(audience: Audience, at: Date, limit: number): Promise<Notification[]>;
  /** Returns the ids this call claimed (rows another instance holds are left out). */
  claim(ids: readonly number[], at: Date, leaseMs: number): Promise<Set<number>>;
  sent(ids: readonly number[], at: Date): Promise<void>;
  /** Whether customers still wait for something: a message queued for them, or a payment's credit not yet done. */
  customersWaiting(at: Date): Promise<boolean>;
  retry(retries: readonly Retry[], lastError: string): Promise<void>;
  /** How many messages are queued for the audience and since when the longest-due one has been due (off the audience index). */
  backlog(audience: Audience): Promise<Backlog>;
  /**
   * Each merchant's customers' messages queued and due at or before `dueBefore` (late ones): one grouped read off the
   * audience index, a row per merchant with any (each merchant's receipts are sent by its own bot).
   */
  lateReceipts(dueBefore: Date): Promise<MerchantBacklog[]>;
  /** What a receipt for the top-up shows, in one statement; null when there is no such top-up. */
  receipt(topUpId: number): Promise<ReceiptFacts | null>;
}

export interface Backlog {
  queued: number;
  /** The earliest `nextAttemptAt` of a queued message; null when none is queued. */
  oldestDueAt: Date | null;
}

export interface MerchantBacklog {
  merchantId: number;
  queued: number;
  oldestDueAt: Date;
}

export interface RawNotification {
  id: number | bigint;
  merchantId: number | bigint;
  dedupeKey: string;
  chatId: number | bigint | string;
  kind: string;
  payload: string;
  status: string;
  attempts: number | bigint;
  nextAttemptAt: string;
  claimedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Reads a raw notification row into its typed value, once, at the ledger's boundary. */
export function notificationFromRow(row: RawNotification): Notification {
  return {
    id: Number(row.id), merchantId: Number(row.merchantId), dedupeKey: row.dedupeKey, chatId: BigInt(row.chatId), kind: row.kind, payload: row.payload, status: parseState("notification", row.status),
    attempts: Number(row.attempts), nextAttemptAt: new Date(row.nextAttemptAt), claimedUntil: row.claimedUntil === null ? null : new Date(row.claimedUntil),
    lastError: row.lastError, createdAt: new Date(row.createdAt), sentAt: row.sentAt === null ? null : new Date(row.sentAt),
  };
}
