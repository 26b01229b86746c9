-- Every read of notifications by status is served by notifications_audience_due_idx (005), whose leading
-- column is the status. The (status, nextAttemptAt) index only cost writes: each receipt and admin note
-- was inserted into it and moved within it when sent, a page or more of WAL per commit under load.
DROP INDEX IF EXISTS "notifications_status_nextAttemptAt_idx";
