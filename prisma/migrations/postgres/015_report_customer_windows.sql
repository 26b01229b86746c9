-- Paid totals per customer over the report windows the bot offers (the last 7 and 30 local days up to the
-- rollup's window day), kept by the report rollup (src/jobs/report-rollup.ts) under the same mark as
-- report_customer_days: the sum of that table's rows over the window, so /report 7d and 30d rank their top
-- customers off the (sumMinor DESC) index instead of grouping every customer day of the period. Derived, never a
-- money row; "merchantId" leads every key.
CREATE TABLE "report_customer_windows" (
  "merchantId" INTEGER NOT NULL DEFAULT 1,
  "days" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "userId" INTEGER NOT NULL,
  "count" INTEGER NOT NULL,
  "sumMinor" BIGINT NOT NULL,
  "firstAt" TIMESTAMP(3) NOT NULL,
  PRIMARY KEY ("merchantId", "days", "currency", "userId")
);
CREATE INDEX "report_customer_windows_rank_idx" ON "report_customer_windows"("merchantId", "days", "currency", "sumMinor" DESC, "firstAt", "userId");
-- The local day the windows end on (inclusive); NULL until the rollup first fills them from report_customer_days.
ALTER TABLE "report_rollups" ADD COLUMN "windowDay" TIMESTAMP(3);
-- A customer's days, for the first payment still in a window once the day that held it has left.
CREATE INDEX "report_customer_days_merchantId_currency_userId_day_firstAt_idx" ON "report_customer_days"("merchantId", "currency", "userId", "day", "firstAt");

-- Row-level security as on the money tables (migration 012): a merchant's report reads its own customers only.
ALTER TABLE "report_customer_windows" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "report_customer_windows" FORCE ROW LEVEL SECURITY;
CREATE POLICY "merchant_isolation" ON "report_customer_windows"
  USING (current_setting('app.scope', true) = 'all' OR "merchantId" = nullif(current_setting('app.merchant_id', true), '')::int)
  WITH CHECK (current_setting('app.scope', true) = 'all' OR "merchantId" = nullif(current_setting('app.merchant_id', true), '')::int);
