import type { Db } from "../db/database.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { OPEN_OR_LATE } from "./states.js";

type Tx = Pick<Db, "topUp">;

/**
 * Claims up to `batch` open or late top-ups of these merchants and providers whose poll is due, for this instance's
 * poll: each by a conditional update of its next poll time, so instances never take the same one.
 */
export async function claimDuePolls(db: Tx, input: { merchants: readonly number[]; providers: readonly string[]; at: Date; batch: number; claimMs: number }): Promise<TopUp[]> {
  const due = await db.topUp.findMany({
    where: { status: { in: [...OPEN_OR_LATE] }, merchantId: { in: [...input.merchants] }, provider: { in: [...input.providers] }, nextPollAt: { lte: input.at } },
    orderBy: { nextPollAt: "asc" },
    take: input.batch,
  });
  const claimed: TopUp[] = [];
  for (const topUp of due) {
    const taken = await db.topUp.updateMany({
      where: { id: topUp.id, nextPollAt: topUp.nextPollAt },
      data: { nextPollAt: new Date(input.at.getTime() + input.claimMs) },
    });
    if (taken.count === 1) claimed.push(topUp);
  }
  return claimed;
}

/** Counts a poll and sets the next one (null: no more). Recording a payment clears nextPollAt; only a still-open top-up is scheduled again. */
export async function reschedulePoll(db: Tx, topUpId: number, next: Date | null): Promise<void> {
  await db.topUp.updateMany({
    where: { id: topUpId, status: { in: [...OPEN_OR_LATE] }, nextPollAt: { not: null } },
    data: { nextPollAt: next, pollCount: { increment: 1 } },
  });
}
