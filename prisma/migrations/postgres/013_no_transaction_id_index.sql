-- The index on payments' transaction id alone (007, for an admin's /find) cost every payment a page of WAL
-- of its own: the ids are random, so each lands on a leaf page no other payment in the commit touches. /find
-- reads the at-most-once key (provider, providerTxnId) instead, once per provider (src/admin/by-transaction-id.ts).
DROP INDEX IF EXISTS "payments_providerTxnId_idx";
