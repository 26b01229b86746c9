-- Expiry sweeps and the open top-ups in /pending: served by an index, not a scan of every top-up.
CREATE INDEX "top_ups_status_expiresAt_idx" ON "top_ups"("status", "expiresAt");
