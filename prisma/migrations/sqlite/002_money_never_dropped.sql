-- SQLite INTEGER is already 64-bit; only the new column.
-- The reference (or QR md5) the provider sent: how an orphan payment is found again.
ALTER TABLE "payments" ADD COLUMN "reference" TEXT;
CREATE INDEX "payments_reference_idx" ON "payments"("reference");
