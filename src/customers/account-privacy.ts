import type { Db } from "../db/database.js";
import { TopUpStatus } from "../payments/states.js";

/**
 * Panels offer no proof that a Telegram user owns a login, so paying is the proof: a balance is shown
 * only to a customer who has a credited top-up into that login through this bot.
 */
export async function hasPaidInto(db: Db, userId: number, login: string): Promise<boolean> {
  const credited = await db.topUp.findFirst({ where: { userId, panelLogin: login, status: TopUpStatus.CREDITED }, select: { id: true } });
  return credited !== null;
}
