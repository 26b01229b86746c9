import type { Database } from "../db/database.js";
import { pruneOnce } from "../ledger/retention.js";
import type { Logger } from "../logger.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";

const DAY_MS = 86_400_000;
/** Between prune batches: a large first prune (an old database) runs without crowding out the money path. */
const BATCH_GAP_MS = 200;

/** Deletes, in batches, what no report needs once it is older than RETENTION_DAYS (src/ledger/retention.ts). */
export function createRetention(
  deps: { database: Database; retentionDays: number; log: Logger; now?: () => Date },
  opts: { sweepMs: number } = { sweepMs: 3_600_000 },
): WorkLoop & { pass(): Promise<boolean> } {
  const log = deps.log.child({ worker: "retention" });
  async function pass(): Promise<boolean> {
    const now = deps.now?.() ?? new Date();
    const pruned = await pruneOnce(deps.database.db, new Date(now.getTime() - deps.retentionDays * DAY_MS), now);
    if (pruned.notifications + pruned.keyValues > 0) log.info({ notifications: pruned.notifications, keyValues: pruned.keyValues }, "pruned rows past retention");
    return pruned.more;
  }
  const loop = createWorkLoop("retention", pass, { sweepMs: opts.sweepMs, log, minGapMs: BATCH_GAP_MS });
  return { ...loop, get running() { return loop.running; }, pass };
}
