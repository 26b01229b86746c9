import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Audience } from "../ledger/notification-queue.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { OutageTracker } from "../notify/outages.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";

/** Receipts are behind when one has been due this long; admins get one note then, and one when they catch up. */
export const RECEIPTS_BEHIND_MS = 5 * 60_000;
/** Caught up: no receipt due longer than this (below the alarm, so a queue hovering at 5 minutes does not flap). */
export const RECEIPTS_CAUGHT_UP_MS = 60_000;
const AUDIENCES: readonly Audience[] = ["customers", "admins"];

export interface ReceiptStatus {
  behind: boolean;
  queued: number;
  /** How long the longest-waiting receipt has been due. */
  lateSeconds: number;
}

/**
 * Samples the notification queue (two index reads per audience): the queue gauges, the receipts' status
 * for /readyz, and the admins' "receipts are behind" / "caught up" notes through the outage tracker, which
 * sends each once however many instances watch.
 */
export function createReceiptWatch(
  deps: { database: LedgerDatabase; metrics: Metrics; outages: OutageTracker; log: Logger; now?: () => Date },
  opts: { sweepMs: number } = { sweepMs: 15_000 },
): WorkLoop & { pass(): Promise<boolean>; status(): ReceiptStatus } {
  let status: ReceiptStatus = { behind: false, queued: 0, lateSeconds: 0 };

  async function pass(): Promise<boolean> {
    const now = (deps.now?.() ?? new Date()).getTime();
    for (const audience of AUDIENCES) {
      const backlog = await deps.database.hot.notifications.backlog(audience);
      const lateMs = backlog.oldestDueAt === null ? 0 : Math.max(0, now - backlog.oldestDueAt.getTime());
      deps.metrics.notificationQueueDepth.set({ audience }, backlog.queued);
      deps.metrics.notificationQueueLag.set({ audience }, lateMs / 1000);
      if (audience !== "customers") continue;
      const behind = lateMs > RECEIPTS_BEHIND_MS || (status.behind && lateMs > RECEIPTS_CAUGHT_UP_MS);
      status = { behind, queued: backlog.queued, lateSeconds: Math.round(lateMs / 1000) };
      if (behind) await deps.outages.down("receipts", `${backlog.queued} receipts queued, the oldest due ${Math.round(lateMs / 60_000)} min ago`);
      else await deps.outages.up("receipts");
    }
    return false;
  }

  const loop = createWorkLoop("receipt-watch", pass, { sweepMs: opts.sweepMs, log: deps.log });
  return { ...loop, get running() { return loop.running; }, pass, status: () => status };
}
