import type { Db } from "../db/database.js";
import { NotificationStatus } from "./transitions.js";

/** Rows deleted per statement: short transactions, so the hot path never waits long on a prune. */
const BATCH = 2_000;

/**
 * Deletes what no report needs once it is older than `before`: notifications that were sent or given up
 * on (their dedupe key has done its work long since), and expired lock rows (`now`). Money rows (top-ups,
 * payments, credits, refunds, audit) are never pruned. Returns how many rows went; a full batch means
 * more may be left.
 */
export async function pruneOnce(db: Db, before: Date, now: Date): Promise<{ notifications: number; keyValues: number; more: boolean }> {
  const settled = await db.notification.findMany({
    // `sentAt` is when delivery ended: sent, or given up on (FAILED).
    where: { status: { in: [NotificationStatus.SENT, NotificationStatus.FAILED] }, sentAt: { lt: before } },
    select: { id: true },
    take: BATCH,
  });
  const notifications = settled.length === 0 ? 0 : (await db.notification.deleteMany({ where: { id: { in: settled.map((n) => n.id) } } })).count;
  const keyValues = (await db.keyValue.deleteMany({ where: { expiresAt: { lt: now } } })).count;
  return { notifications, keyValues, more: settled.length === BATCH };
}
