-- Every admin lookup, report and prune reads an index, not a table that grows with history.
-- /find by transaction id (the unique key leads with the provider, which /find does not know).
CREATE INDEX "payments_providerTxnId_idx" ON "payments"("providerTxnId");
-- The report's totals read only this index: by bucket, currency, provider and customer (via the top-up).
DROP INDEX "payments_observedAt_idx";
CREATE INDEX "payments_observedAt_currency_provider_amountMinor_topUpId_idx" ON "payments"("observedAt", "currency", "provider", "amountMinor", "topUpId");
-- A top-up's credits by kind and state (the export's bonus column, refunds); bonus totals of a period without walking every DONE credit.
DROP INDEX "credits_topUpId_idx";
CREATE INDEX "credits_topUpId_kind_status_idx" ON "credits"("topUpId", "kind", "status");
CREATE INDEX "credits_kind_status_doneAt_idx" ON "credits"("kind", "status", "doneAt");
-- Retention: sent notifications older than RETENTION_DAYS, expired locks.
CREATE INDEX "notifications_status_sentAt_idx" ON "notifications"("status", "sentAt");
CREATE INDEX "key_values_expiresAt_idx" ON "key_values"("expiresAt");
