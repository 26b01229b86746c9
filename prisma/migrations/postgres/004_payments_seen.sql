-- How many payments are recorded on each top-up: bumped with every payment recorded on it, so two
-- observations of one top-up recorded at once are decided one after the other (src/ledger/postgres-recorder.ts).
ALTER TABLE "top_ups" ADD COLUMN "paymentsSeen" INTEGER NOT NULL DEFAULT 0;
UPDATE "top_ups" SET "paymentsSeen" = (SELECT count(*) FROM "payments" WHERE "payments"."topUpId" = "top_ups"."id");
