-- The notifier reads customers' receipts before admins' notes: each audience's due rows straight off
-- an index (kinds start with "topup." or "admin."), not a scan past the other audience's backlog.
CREATE INDEX "notifications_audience_due_idx" ON "notifications"("status", (substr("kind", 1, 6)), "nextAttemptAt");
