-- Amounts are 64-bit: a 3,000,000,000 riel payment must fit.
ALTER TABLE "users" ALTER COLUMN "lastBalanceMinor" TYPE BIGINT;
ALTER TABLE "top_ups" ALTER COLUMN "amountMinor" TYPE BIGINT;
ALTER TABLE "payments" ALTER COLUMN "amountMinor" TYPE BIGINT;
ALTER TABLE "credits" ALTER COLUMN "amountMinor" TYPE BIGINT;
ALTER TABLE "credits" ALTER COLUMN "balanceMinor" TYPE BIGINT;
ALTER TABLE "refunds" ALTER COLUMN "amountMinor" TYPE BIGINT;

-- The reference (or QR md5) the provider sent: how an orphan payment is found again.
ALTER TABLE "payments" ADD COLUMN "reference" TEXT;
CREATE INDEX "payments_reference_idx" ON "payments"("reference");
