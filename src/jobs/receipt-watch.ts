import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Audience } from "../ledger/notification-queue.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { merchantsWithOutage, type OutageTracker } from "../notify/outages.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";
import type { MerchantResolver } from "./merchants.js";

/** Receipts are behind when one has been due this long; admins get one note then, and one when they catch up. */
export const RECEIPTS_BEHIND_MS = 5 * 60_000;
/** Caught up: no receipt due longer than this (below the alarm, so a queue hovering at 5 minutes does not flap). */
export const RECEIPTS_CAUGHT_UP_MS = 60_000;
const AUDIENCES: readonly Audience[] = ["customers", "admins"];
const COMPONENT = "receipts";

export interface ReceiptStatus {
  /** Whether any shop's receipts are behind. */
  behind: boolean;
  shopsBehind: number;
  /** Every shop's receipts queued. */
  queued: number;
  /** How long the longest-waiting receipt (of any shop) has been due. */
  lateSeconds: number;
}

/**
 * Samples the notification queue: the queue gauges (every merchant's together: no merchant label), the receipts'
 * status for /readyz, and each merchant's "receipts are behind" / "caught up" notes to that merchant's admins
 * (its receipts go out through its own bot, under Telegram's limit per bot), through its outage tracker, which
 * sends each once however many instances watch. A pass is two index reads per audience and one grouped read of
 * the late receipts, however many merchants there are.
 */
export function createReceiptWatch(
  deps: { database: LedgerDatabase; metrics: Metrics; outages: MerchantResolver<OutageTracker>; log: Logger; now?: () => Date },
  opts: { sweepMs: number } = { sweepMs: 15_000 },
): WorkLoop & { pass(): Promise<boolean>; status(): ReceiptStatus } {
  const queue = deps.database.hot.notifications;
  let status: ReceiptStatus = { behind: false, shopsBehind: 0, queued: 0, lateSeconds: 0 };
  // The merchants told their receipts are behind; at the first pass, those recorded so (before a restart, or by another instance).
  let behind: Set<number> | undefined;

  async function pass(): Promise<boolean> {
    const now = (deps.now?.() ?? new Date()).getTime();
    for (const audience of AUDIENCES) {
      const backlog = await queue.backlog(audience);
      const lateMs = backlog.oldestDueAt === null ? 0 : Math.max(0, now - backlog.oldestDueAt.getTime());
      deps.metrics.notificationQueueDepth.set({ audience }, backlog.queued);
      deps.metrics.notificationQueueLag.set({ audience }, lateMs / 1000);
      if (audience === "customers") status = { ...status, queued: backlog.queued, lateSeconds: Math.round(lateMs / 1000) };
    }

    const wasBehind = (behind ??= new Set(await merchantsWithOutage(deps.database.db, COMPONENT)));
    const nowBehind = new Set<number>();
    for (const late of await queue.lateReceipts(new Date(now - RECEIPTS_CAUGHT_UP_MS))) {
      const lateMs = now - late.oldestDueAt.getTime();
      if (lateMs <= RECEIPTS_BEHIND_MS && !wasBehind.has(late.merchantId)) continue;
      nowBehind.add(late.merchantId);
      await deps.outages.get(late.merchantId)?.down(COMPONENT, `${late.queued} receipts waiting over a minute, the oldest due ${Math.round(lateMs / 60_000)} min ago`);
    }
    for (const merchantId of wasBehind) {
      if (!nowBehind.has(merchantId)) await deps.outages.get(merchantId)?.up(COMPONENT);
    }
    behind = nowBehind;
    status = { ...status, behind: nowBehind.size > 0, shopsBehind: nowBehind.size };
    return false;
  }

  const loop = createWorkLoop("receipt-watch", pass, { sweepMs: opts.sweepMs, log: deps.log });
  return { ...loop, get running() { return loop.running; }, pass, status: () => status };
}
