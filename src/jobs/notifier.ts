import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Notification } from "../generated/sqlite/client.js";
import { retryAfterMs } from "../http/retry-after.js";
import { createWorkLoop, subscribedLoop, type WorkLoop } from "./loop.js";
import type { Logger } from "../logger.js";
import type { NotificationPayload } from "../ledger/outbox.js";

/** Sends one queued message through `merchantId`'s bot. Throwing means "try again later". */
export type Deliver = (chatId: bigint, payload: NotificationPayload, merchantId: number) => Promise<void>;

const MAX_ATTEMPTS = 8;
/**
 * Per-payment admin notes; when notes about this many payments wait for one chat, they go as one digest (Telegram
 * allows ~20 messages a minute in a group). A held credit's note is one when the credit pays for a payment.
 */
const DIGESTIBLE = new Set<string>(["admin.payment", "admin.repeat", "admin.flagged", "admin.orphan", "admin.held"]);
const DIGEST_FROM = 4;
/** One digest covers up to this many payments (it lists only the held ones, up to 25). */
const DIGEST_MAX = 1_000;
/**
 * Per-payment admin notes wait while customers still wait for their receipts (a burst's digest comes
 * after them, and sums the whole burst), but never longer than this.
 */
const DIGEST_HOLD_MS = 60_000;
const ADMIN_LOOK_WHILE_WAITING_MS = 1_000;
const PASS_GAP_MS = 20;

/** Delivers queued notifications once each; rows are claimed, so several instances never double-send. */
export function createNotifier(
  deps: { database: LedgerDatabase; wakeup: Wakeup; deliver: Deliver; log: Logger; now?: () => Date },
  opts: { sweepMs: number; leaseMs: number; batch: number },
): WorkLoop & { pass(): Promise<boolean> } {
  const queue = deps.database.hot.notifications;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "notifier" });

  /** Sends one message standing for `rows` (one row, or a digest of many) and settles every row. */
  async function deliverAs(rows: Notification[], payload: NotificationPayload): Promise<void> {
    try {
      await deps.deliver(rows[0]!.chatId, payload, rows[0]!.merchantId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ notificationIds: rows.map((n) => n.id), kind: payload.kind, msg: message }, "notification not delivered");
      const at = now().getTime();
      const waitMs = retryAfterMs((err as { parameters?: { retry_after?: number } }).parameters?.retry_after, at);
      const retries = rows.map((n) => {
        const attempts = n.attempts + 1;
        return { id: n.id, attempts, giveUp: attempts >= MAX_ATTEMPTS, nextAttemptAt: new Date(at + (waitMs || 2 ** attempts * 1000)) };
      });
      await queue.retry(retries, message.slice(0, 500));
      return;
    }
    await queue.sent(rows.map((n) => n.id), now());
  }

  /**
   * Claims rows just before sending them, so a slow (throttled) chat never outlives its claim. Once the
   * notifier is stopping nothing more is claimed: a graceful stop waits only for the messages in flight.
   */
  async function claim(rows: Notification[]): Promise<Notification[]> {
    if (stopping) return [];
    const taken = await queue.claim(rows.map((n) => n.id), now(), opts.leaseMs);
    return rows.filter((n) => taken.has(n.id));
  }

  /** One chat's messages (with one merchant's bot) in order; notes about several payments for one admin chat become one digest. */
  async function sendChat(list: Notification[]): Promise<void> {
    const digestible = list.filter(isDigestible);
    if (new Set(digestible.map(paymentOf)).size >= DIGEST_FROM) {
      const claimed = await claim(digestible);
      if (claimed.length > 0) await deliverAs(claimed, { kind: "admin.digest", paymentIds: [...new Set(claimed.map((n) => paymentOf(n)!))] });
      list = list.filter((n) => !isDigestible(n));
    }
    for (const n of list) {
      const [one] = await claim([n]);
      if (one) await deliverAs([one], JSON.parse(one.payload) as NotificationPayload);
    }
  }

  let lastAdminLook = -Infinity;
  async function pass(): Promise<boolean> {
    const at = now();
    // Customers' messages (receipts) first; admin notes after, in digests when they pile up.
    const customers = await queue.due("customers", at, opts.batch);
    await sendByChat(customers);
    if (customers.length >= opts.batch) return true;
    const waiting = await queue.customersWaiting(now());
    // While customers wait, every payment wakes a pass: look at the admin notes at most once a second.
    if (waiting && at.getTime() - lastAdminLook < ADMIN_LOOK_WHILE_WAITING_MS) return false;
    lastAdminLook = at.getTime();
    const due = await queue.due("admins", at, DIGEST_MAX);
    const admins = waiting ? due.filter((n) => !isDigestible(n) || at.getTime() - n.createdAt.getTime() >= DIGEST_HOLD_MS) : due;
    await sendByChat(admins);
    return !waiting && due.length >= DIGEST_MAX;
  }

  async function sendByChat(list: Notification[]): Promise<void> {
    // A chat id names a chat with one merchant's bot: the same id with two shops' bots is two chats.
    const byChat = new Map<string, Notification[]>();
    for (const n of list.sort((a, b) => a.id - b.id)) {
      const chat = `${n.merchantId}:${n.chatId}`;
      byChat.set(chat, [...(byChat.get(chat) ?? []), n]);
    }
    await Promise.all([...byChat.values()].map(sendChat));
  }

  let stopping = false;
  // Telegram takes ~30 messages a second: a pass per payment recorded would only re-read the queue.
  const loop = subscribedLoop(createWorkLoop("notifier", pass, { sweepMs: opts.sweepMs, log, minGapMs: PASS_GAP_MS }), deps.wakeup, "notifications", pass);
  return {
    pass,
    get running() {
      return loop.running;
    },
    start() {
      stopping = false;
      loop.start();
    },
    wake: () => loop.wake(),
    async stop() {
      stopping = true;
      await loop.stop();
    },
  };
}

/** The payment an admin note is about, when it is about one. */
function paymentOf(n: Notification): number | undefined {
  return (JSON.parse(n.payload) as { paymentId?: number }).paymentId;
}

function isDigestible(n: Notification): boolean {
  return DIGESTIBLE.has(n.kind) && paymentOf(n) !== undefined;
}
