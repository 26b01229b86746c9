-- Payment totals per closed UTC hour, so a report sums a few rows per hour of its period instead of every payment.
-- Kept by the rollup job (src/jobs/report-rollup.ts); derived, so never a money row. "merchantId" leads every key.
CREATE TABLE "report_payment_hours" (
  "merchantId" INTEGER NOT NULL DEFAULT 1,
  "hour" DATETIME NOT NULL,
  "currency" TEXT NOT NULL,
  "provider" TEXT NOT NULL,
  "count" INTEGER NOT NULL,
  "sumMinor" BIGINT NOT NULL,
  PRIMARY KEY ("merchantId", "hour", "currency", "provider")
);
-- What report_payment_hours holds: exactly the payments with "id" <= "paymentId" and "observedAt" < "before".
CREATE TABLE "report_rollups" (
  "merchantId" INTEGER NOT NULL DEFAULT 1 PRIMARY KEY,
  "paymentId" INTEGER NOT NULL,
  "before" DATETIME NOT NULL,
  "updatedAt" DATETIME NOT NULL
);
