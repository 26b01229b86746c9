import { PROVIDER_NAMES } from "../config/config.js";

/**
 * Payments with this provider transaction id, whichever provider sent it, read off the at-most-once key
 * (provider, providerTxnId): one lookup per provider. An index on the id alone would cost every payment a
 * page of WAL of its own (the ids are random), for the admins' rare search (migration 013).
 */
export function byTransactionId(txnId: string) {
  return { provider: { in: [...PROVIDER_NAMES] }, providerTxnId: txnId };
}

/**
 * Payments whose provider transaction id or sent reference is `key`, the first `take` by id. Two reads, each off
 * its own index: asked as one `(this OR reference)` inside the merchant's client, neither database carries the
 * merchant into the OR's branches, and SQLite then reads every payment of the merchant instead.
 */
export async function byTransactionIdOrReference<T extends { id: number }>(find: (where: object) => Promise<T[]>, key: string, take: number): Promise<T[]> {
  const [byId, byReference] = await Promise.all([find(byTransactionId(key)), find({ reference: key })]);
  return [...new Map([...byId, ...byReference].map((p) => [p.id, p])).values()].sort((a, b) => a.id - b.id).slice(0, take);
}
