import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Notification } from "../generated/sqlite/client.js";
import { moveNotification } from "../ledger/moves.js";
import { NotificationStatus } from "../ledger/transitions.js";
import { createWorkLoop, subscribedLoop, type WorkLoop } from "./loop.js";
import type { Logger } from "../logger.js";
import type { NotificationPayload } from "../notify/outbox.js";

/** Sends one queued message. Throwing means "try again later". */
export type Deliver = (chatId: bigint, payload: NotificationPayload) => Promise<void>;

const MAX_ATTEMPTS = 8;
const ADMIN_KINDS: NotificationPayload["kind"][] = ["admin.payment", "admin.repeat", "admin.flagged", "admin.orphan", "admin.held", "admin.outage", "admin.notice"];
/** Per-payment admin notes; when this many wait for one chat, they go as one digest (Telegram allows ~20 messages a minute in a group). */
const DIGESTIBLE = new Set<string>(["admin.payment", "admin.repeat", "admin.flagged", "admin.orphan"]);
const DIGEST_FROM = 4;
const DIGEST_MAX = 200;

/** Delivers queued notifications once each; rows are claimed, so several instances never double-send. */
export function createNotifier(
  deps: { database: Database; wakeup: Wakeup; deliver: Deliver; log: Logger; now?: () => Date },
  opts: { sweepMs: number; leaseMs: number; batch: number },
): WorkLoop & { pass(): Promise<boolean> } {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "notifier" });

  async function deliverOne(n: Notification): Promise<void> {
    await deliverAs([n], JSON.parse(n.payload) as NotificationPayload);
  }

  /** Sends one message standing for `rows` (one row, or a digest of many) and settles every row. */
  async function deliverAs(rows: Notification[], payload: NotificationPayload): Promise<void> {
    try {
      await deps.deliver(rows[0]!.chatId, payload);
      for (const n of rows) await moveNotification(db, n.id, NotificationStatus.SENT, { sentAt: now(), claimedUntil: null }, { required: true });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const retryAfterMs = (err as { parameters?: { retry_after?: number } }).parameters?.retry_after;
      log.warn({ notificationIds: rows.map((n) => n.id), kind: payload.kind, msg: message }, "notification not delivered");
      for (const n of rows) {
        const attempts = n.attempts + 1;
        await moveNotification(
          db, n.id, attempts >= MAX_ATTEMPTS ? NotificationStatus.FAILED : NotificationStatus.QUEUED,
          {
            attempts,
            lastError: message.slice(0, 500),
            nextAttemptAt: new Date(now().getTime() + (retryAfterMs ? retryAfterMs * 1000 : 2 ** attempts * 1000)),
            claimedUntil: null,
          },
          { required: true },
        );
      }
    }
  }

  /** Claims one message just before sending it, so a slow (throttled) chat never outlives its claim. */
  async function claim(n: Notification): Promise<boolean> {
    const at = now();
    const taken = await db.notification.updateMany({
      where: { id: n.id, status: NotificationStatus.QUEUED, OR: [{ claimedUntil: null }, { claimedUntil: { lt: at } }] },
      data: { claimedUntil: new Date(at.getTime() + opts.leaseMs) },
    });
    return taken.count === 1;
  }

  const dueWhere = (at: Date) => ({ status: NotificationStatus.QUEUED, nextAttemptAt: { lte: at }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: at } }] });

  /** One chat's messages in order; several payment notes for one admin chat become one digest. */
  async function sendChat(list: Notification[]): Promise<void> {
    const digestible = list.filter((n) => DIGESTIBLE.has(n.kind));
    if (digestible.length >= DIGEST_FROM) {
      const claimed: Notification[] = [];
      for (const n of digestible) if (await claim(n)) claimed.push(n);
      if (claimed.length > 0) {
        const paymentIds = claimed.map((n) => (JSON.parse(n.payload) as { paymentId: number }).paymentId);
        await deliverAs(claimed, { kind: "admin.digest", paymentIds });
      }
      list = list.filter((n) => !DIGESTIBLE.has(n.kind));
    }
    for (const n of list) if (await claim(n)) await deliverOne(n);
  }

  async function pass(): Promise<boolean> {
    const at = now();
    // Customers' messages (receipts) first; admin notes after, in digests when they pile up.
    const customers = await db.notification.findMany({ where: { ...dueWhere(at), kind: { notIn: ADMIN_KINDS } }, orderBy: { nextAttemptAt: "asc" }, take: opts.batch });
    const admins =
      customers.length < opts.batch
        ? await db.notification.findMany({ where: { ...dueWhere(at), kind: { in: ADMIN_KINDS } }, orderBy: { nextAttemptAt: "asc" }, take: DIGEST_MAX })
        : [];
    for (const group of [customers, admins]) {
      const byChat = new Map<bigint, Notification[]>();
      for (const n of group.sort((a, b) => a.id - b.id)) byChat.set(n.chatId, [...(byChat.get(n.chatId) ?? []), n]);
      await Promise.all([...byChat.values()].map(sendChat));
    }
    return customers.length >= opts.batch || admins.length >= DIGEST_MAX;
  }

  return subscribedLoop(createWorkLoop("notifier", pass, { sweepMs: opts.sweepMs, log }), deps.wakeup, "notifications", pass);
}
