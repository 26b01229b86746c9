-- Admin paths move money exactly (refunds interleaved with credits in flight):
-- credits."basisMinor": what of its payment a credit still carries, in the payment's currency, once a refund
--   took part of it back before it reached the panel (NULL: the whole payment). Its deposit bonus is on this.
-- refunds."fromPanelMinor": the part of a refund (top-up currency) taken back from what was on the panel;
--   the rest cancelled or reduced credits that had not reached it.
-- refunds."panelDebitMinor" / "bonusBackMinor": what the refund takes back from the panel (panel currency),
--   of which deposit bonus; refunds."panelLogin": the login it is taken from.
ALTER TABLE "credits" ADD COLUMN "basisMinor" INTEGER;
ALTER TABLE "refunds" ADD COLUMN "fromPanelMinor" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "refunds" ADD COLUMN "panelDebitMinor" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "refunds" ADD COLUMN "bonusBackMinor" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "refunds" ADD COLUMN "panelLogin" TEXT;
-- Refunds made before: whatever was not "never credited" came from the panel.
UPDATE "refunds" SET "fromPanelMinor" = "amountMinor" WHERE "panelStatus" <> 'NOT_CREDITED';
