-- Top-ups created per closed UTC hour, kept by the report rollup (src/jobs/report-rollup.ts) like
-- report_payment_hours: a report's top-up total sums these, so its CREDITED count (most top-ups) is that total
-- less the other states' counts instead of a walk of the CREDITED run of the status index. Only creation is
-- counted, which never changes. Derived, never a money row; "merchantId" leads the key.
CREATE TABLE "report_topup_hours" (
  "merchantId" INTEGER NOT NULL DEFAULT 1,
  "hour" DATETIME NOT NULL,
  "count" INTEGER NOT NULL,
  PRIMARY KEY ("merchantId", "hour")
) WITHOUT ROWID;
-- report_topup_hours holds exactly the top-ups with "id" <= "topUpId" and "createdAt" < "before" (0: none yet).
ALTER TABLE "report_rollups" ADD COLUMN "topUpId" INTEGER NOT NULL DEFAULT 0;
