-- Many merchants on one database: every money row belongs to one merchant. Existing rows are the environment
-- merchant's (id 1, `default`), so a single shop upgrades in place.
ALTER TABLE "users" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "top_ups" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "payments" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "credits" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "refunds" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "audit_log" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "notifications" ADD COLUMN "merchantId" INTEGER NOT NULL DEFAULT 1;

-- Uniqueness per merchant: one Telegram user in two shops is two customers; the same provider transaction
-- at two merchants is two payments; two shops may share an admin chat, so a message's dedupe key is per merchant.
DROP INDEX "users_telegramId_key";
CREATE UNIQUE INDEX "users_merchantId_telegramId_key" ON "users"("merchantId", "telegramId");
DROP INDEX "payments_provider_providerTxnId_key";
CREATE UNIQUE INDEX "payments_merchantId_provider_providerTxnId_key" ON "payments"("merchantId", "provider", "providerTxnId");
DROP INDEX "notifications_dedupeKey_key";
CREATE UNIQUE INDEX "notifications_merchantId_dedupeKey_key" ON "notifications"("merchantId", "dedupeKey");

-- What an admin looks up and a report sums leads with the merchant: one shop's /find and /report read only its
-- own part of a shared history. The workers' queue indexes (status, due time) stay global, and so do lookups by a
-- key that is all but unique (a provider transaction id, a sent reference: /find asks for either at once, which a
-- merchant-led pair of indexes cannot serve). The bonus total's index keeps its constant states first, so that a
-- query naming only the merchant is never tempted to walk it.
DROP INDEX "users_username_idx";
CREATE INDEX "users_merchantId_username_idx" ON "users"("merchantId", "username");
DROP INDEX "users_panelLogin_idx";
CREATE INDEX "users_merchantId_panelLogin_idx" ON "users"("merchantId", "panelLogin");
-- A customer's top-ups are listed newest first by id: an index on the customer alone serves that order (its
-- rows follow the id), so no index led by the merchant is a better-looking way to them.
DROP INDEX "top_ups_userId_createdAt_idx";
CREATE INDEX "top_ups_userId_idx" ON "top_ups"("userId");
DROP INDEX "top_ups_createdAt_idx";
CREATE INDEX "top_ups_merchantId_createdAt_idx" ON "top_ups"("merchantId", "createdAt");
DROP INDEX "payments_observedAt_currency_provider_amountMinor_topUpId_idx";
CREATE INDEX "payments_merchantId_observedAt_currency_provider_amountMinor_topUpId_idx" ON "payments"("merchantId", "observedAt", "currency", "provider", "amountMinor", "topUpId");
DROP INDEX "credits_kind_status_doneAt_idx";
CREATE INDEX "credits_kind_status_merchantId_doneAt_idx" ON "credits"("kind", "status", "merchantId", "doneAt");
DROP INDEX "refunds_createdAt_idx";
CREATE INDEX "refunds_merchantId_createdAt_idx" ON "refunds"("merchantId", "createdAt");
DROP INDEX "audit_log_subject_idx";
CREATE INDEX "audit_log_merchantId_subject_createdAt_idx" ON "audit_log"("merchantId", "subject", "createdAt");
DROP INDEX "audit_log_createdAt_idx";
CREATE INDEX "audit_log_merchantId_createdAt_idx" ON "audit_log"("merchantId", "createdAt");

-- Row-level security: a connection sees and writes a money row only for the merchant it set
-- (`SET LOCAL app.merchant_id`), or every merchant's when it acts for all of them (`app.scope = 'all'`: the
-- workers' and hot path's pool, src/db/database.ts). Forced, so it binds the tables' owner too; superusers
-- and roles with BYPASSRLS are not bound by it. nullif: a setting reset after a transaction reads ''.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'top_ups', 'payments', 'credits', 'refunds', 'audit_log', 'notifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      $p$CREATE POLICY "merchant_isolation" ON %I
           USING (current_setting('app.scope', true) = 'all' OR "merchantId" = nullif(current_setting('app.merchant_id', true), '')::int)
           WITH CHECK (current_setting('app.scope', true) = 'all' OR "merchantId" = nullif(current_setting('app.merchant_id', true), '')::int)$p$,
      t);
  END LOOP;
END $$;
