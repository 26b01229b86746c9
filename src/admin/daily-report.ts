import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Wakeup } from "../db/wakeup.js";
import { createWorkLoop, type WorkLoop } from "../jobs/loop.js";
import type { Logger } from "../logger.js";
import { enqueueNotification } from "../ledger/outbox.js";
import { localDate, startOfLocalDay } from "./period.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export interface DailyReportDeps {
  database: MerchantDatabase;
  wakeup: Wakeup;
  adminChats: readonly bigint[];
  /** DAILY_REPORT_AT as minutes after local midnight (report time zone). */
  atMinutes: number;
  log: Logger;
  now?: () => Date;
}

/** The outbox key of one day's summary: however many instances or restarts queue it, it is sent once. */
export function dailyReportKey(date: string): string {
  return `daily-report:${date}`;
}

/**
 * Queues the day's summary for the admin chat once the local time reaches DAILY_REPORT_AT. A process that
 * starts later that day queues it then; the notification outbox's dedupe key keeps it to one per day.
 */
export function createDailyReport(deps: DailyReportDeps, opts: { sweepMs: number } = { sweepMs: 30_000 }): WorkLoop & { pass(): Promise<boolean> } {
  const now = () => deps.now?.() ?? new Date();
  let queuedFor: string | undefined;

  async function pass(): Promise<boolean> {
    const at = now();
    const date = localDate(at);
    if (queuedFor === date || deps.adminChats.length === 0) return false;
    const due = new Date(startOfLocalDay(at).getTime() + deps.atMinutes * 60_000);
    if (at < due) return false;
    try {
      await deps.database.db.$transaction(async (tx) => {
        await enqueueNotification(tx, deps.database.merchantId, deps.adminChats, dailyReportKey(date), { kind: "admin.daily", date }, at);
      });
    } catch (err) {
      // Another instance inserted the same key at the same moment (PostgreSQL upserts race): look again.
      if (isUniqueViolation(err)) return true;
      throw err;
    }
    queuedFor = date;
    deps.log.info({ date }, "daily report queued");
    deps.wakeup.notify("notifications");
    return false;
  }

  const loop = createWorkLoop("daily-report", pass, { sweepMs: opts.sweepMs, log: deps.log });
  return { ...loop, get running() { return loop.running; }, pass };
}
