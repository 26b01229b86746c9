import { PROVIDER_NAMES } from "../config/config.js";

/**
 * Payments with this provider transaction id, whichever provider sent it, read off the at-most-once key
 * (provider, providerTxnId): one lookup per provider. An index on the id alone would cost every payment a
 * page of WAL of its own (the ids are random), for the admins' rare search (migration 013).
 */
export function byTransactionId(txnId: string) {
  return { provider: { in: [...PROVIDER_NAMES] }, providerTxnId: txnId };
}
