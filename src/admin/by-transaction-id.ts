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
 * Payments whose provider transaction id is `key`, or orphans (no top-up of ours) whose sent reference is: the first
 * `take` by id. A paid top-up's payments are found through the top-up, by its reference or QR md5 (src/admin/lookup.ts):
 * an index of every payment's sent reference cost each payment a page of WAL, so only orphans' are indexed (migration
 * 016). Two reads, each off its own index: asked as one `(this OR reference)` inside the merchant's client, neither
 * database carries the merchant into the OR's branches, and SQLite then reads every payment of the merchant instead.
 */
export async function byTransactionIdOrReference<T extends { id: number }>(find: (where: object) => Promise<T[]>, key: string, take: number): Promise<T[]> {
  const [byId, byReference] = await Promise.all([find(byTransactionId(key)), find({ topUpId: null, reference: key })]);
  return [...new Map([...byId, ...byReference].map((p) => [p.id, p])).values()].sort((a, b) => a.id - b.id).slice(0, take);
}
