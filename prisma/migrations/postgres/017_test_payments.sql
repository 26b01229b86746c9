-- Onboarding's test payment (issue 23): a top-up a shop's own admin makes through its bot, at the smallest amount
-- whatever TOPUP_MIN says; the shop is verified by the first one whose receipt goes out (src/platform/test-payments.ts).
-- A test payment is an ordinary top-up in the ledger: this table only marks it and keeps the times its summary shows.
CREATE TABLE "test_payments" (
  "topUpId" INTEGER NOT NULL PRIMARY KEY,
  "merchantId" INTEGER NOT NULL,
  "requestedAt" TIMESTAMP(3) NOT NULL,
  "shownAt" TIMESTAMP(3)
);
ALTER TABLE "merchants" ADD COLUMN "verifiedAt" TIMESTAMP(3);
ALTER TABLE "merchants" ADD COLUMN "verifiedTopUpId" INTEGER;
