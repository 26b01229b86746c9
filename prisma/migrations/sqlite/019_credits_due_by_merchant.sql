-- The crediter claims each merchant's due credits off this index, up to that merchant's free slots: a merchant whose
-- panel hangs (no free slots) keeps its backlog out of every claim's read, instead of being walked past on
-- (status, nextAttemptAt) by each claim for the other merchants.
CREATE INDEX IF NOT EXISTS "credits_status_merchantId_nextAttemptAt_idx" ON "credits"("status", "merchantId", "nextAttemptAt");
