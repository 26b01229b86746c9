-- The index on payments' sent reference (007, for an admin's /find) cost every payment a page of WAL of its own:
-- references are random within their day, so each lands on a leaf page no other payment in the commit touches.
-- Only an orphan (no top-up) needs it: a paid top-up's payments are found through the top-up, by its reference
-- or QR md5 (src/admin/lookup.ts). A partial index, which Prisma cannot declare; with "reference" IS NOT NULL only a
-- search by reference can use it (the orphans' list in /pending keeps its own index).
DROP INDEX IF EXISTS "payments_reference_idx";
CREATE INDEX "payments_orphan_reference_idx" ON "payments"("reference") WHERE "topUpId" IS NULL AND "reference" IS NOT NULL;
