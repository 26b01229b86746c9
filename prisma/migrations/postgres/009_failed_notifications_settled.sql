-- A notification given up on (FAILED) records when in "sentAt", as a sent one does, so retention prunes both
-- off the (status, sentAt) index; rows given up on before this keep their last attempt's time.
UPDATE "notifications" SET "sentAt" = "nextAttemptAt" WHERE "status" = 'FAILED' AND "sentAt" IS NULL;
