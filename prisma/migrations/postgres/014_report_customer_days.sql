-- Paid totals per customer, local day (Asia/Phnom_Penh midnight, as a UTC instant) and currency, kept by the
-- report rollup (src/jobs/report-rollup.ts) under the same mark as report_payment_hours: a report's top customers
-- group these few rows per customer and day instead of joining every payment of its period to its top-up.
-- Derived, so never a money row; "merchantId" leads the key.
CREATE TABLE "report_customer_days" (
  "merchantId" INTEGER NOT NULL DEFAULT 1,
  "currency" TEXT NOT NULL,
  "day" TIMESTAMP(3) NOT NULL,
  "userId" INTEGER NOT NULL,
  "count" INTEGER NOT NULL,
  "sumMinor" BIGINT NOT NULL,
  "firstAt" TIMESTAMP(3) NOT NULL,
  PRIMARY KEY ("merchantId", "currency", "day", "userId")
);
-- The mark covers both tables: folding starts again from the first payment, filling both.
DELETE FROM "report_payment_hours";
DELETE FROM "report_rollups";

-- A report's top-ups by status counts each status's run of this index (no top-up row read, no sort); a
-- status change moves its top-up's entry among the newest of its merchant's, so the hot path touches few pages.
CREATE INDEX "top_ups_merchantId_status_createdAt_idx" ON "top_ups"("merchantId", "status", "createdAt");
