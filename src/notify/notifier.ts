import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Notification } from "../generated/sqlite/client.js";
import { createWorkLoop, subscribedLoop, type WorkLoop } from "../jobs/loop.js";
import type { Logger } from "../logger.js";
import type { NotificationPayload } from "./outbox.js";

/** Sends one queued message. Throwing means "try again later". */
export type Deliver = (chatId: bigint, payload: NotificationPayload) => Promise<void>;

const MAX_ATTEMPTS = 8;

/** Delivers queued notifications once each; rows are claimed, so several instances never double-send. */
export function createNotifier(
  deps: { database: Database; wakeup: Wakeup; deliver: Deliver; log: Logger; now?: () => Date },
  opts: { sweepMs: number; leaseMs: number; batch: number },
): WorkLoop & { pass(): Promise<boolean> } {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "notifier" });

  async function deliverOne(n: Notification): Promise<void> {
    try {
      await deps.deliver(n.chatId, JSON.parse(n.payload) as NotificationPayload);
      await db.notification.update({ where: { id: n.id }, data: { status: "SENT", sentAt: now(), claimedUntil: null } });
    } catch (err) {
      const attempts = n.attempts + 1;
      const message = err instanceof Error ? err.message : String(err);
      const retryAfterMs = (err as { parameters?: { retry_after?: number } }).parameters?.retry_after;
      log.warn({ notificationId: n.id, kind: n.kind, attempts, msg: message }, "notification not delivered");
      await db.notification.update({
        where: { id: n.id },
        data: {
          status: attempts >= MAX_ATTEMPTS ? "FAILED" : "QUEUED",
          attempts,
          lastError: message.slice(0, 500),
          nextAttemptAt: new Date(now().getTime() + (retryAfterMs ? retryAfterMs * 1000 : 2 ** attempts * 1000)),
          claimedUntil: null,
        },
      });
    }
  }

  /** Claims one message just before sending it, so a slow (throttled) chat never outlives its claim. */
  async function claim(n: Notification): Promise<boolean> {
    const at = now();
    const taken = await db.notification.updateMany({
      where: { id: n.id, status: "QUEUED", OR: [{ claimedUntil: null }, { claimedUntil: { lt: at } }] },
      data: { claimedUntil: new Date(at.getTime() + opts.leaseMs) },
    });
    return taken.count === 1;
  }

  async function pass(): Promise<boolean> {
    const at = now();
    const due = await db.notification.findMany({
      where: { status: "QUEUED", nextAttemptAt: { lte: at }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: at } }] },
      orderBy: { id: "asc" },
      take: opts.batch,
    });
    // One chat's messages in order; different chats in parallel.
    const byChat = new Map<bigint, Notification[]>();
    for (const n of due) byChat.set(n.chatId, [...(byChat.get(n.chatId) ?? []), n]);
    await Promise.all([...byChat.values()].map(async (list) => {
      for (const n of list) if (await claim(n)) await deliverOne(n);
    }));
    return due.length >= opts.batch;
  }

  return subscribedLoop(createWorkLoop("notifier", pass, { sweepMs: opts.sweepMs, log }), deps.wakeup, "notifications", pass);
}
