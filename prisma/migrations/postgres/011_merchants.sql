-- A platform's merchants (shops). Merchant 1 is the environment merchant: the shop a single-shop deployment's
-- .env describes, named "default"; its settings stay in the environment, so it has no key and no stored bot.
-- Secrets are sealed (src/platform/sealed.ts): "webhookSecret" and secret settings under the merchant's data key,
-- "dataKey" under MASTER_KEY ("previousDataKey" under the one before a rotation, until the rotation is finished).
CREATE TABLE "merchants" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "state" TEXT NOT NULL DEFAULT 'active',
  "botId" BIGINT,
  "botInfo" TEXT,
  "routeKey" TEXT,
  "webhookSecret" TEXT,
  "dataKey" TEXT,
  "previousDataKey" TEXT,
  "version" INTEGER NOT NULL DEFAULT 1,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "merchants_name_key" ON "merchants"("name");
CREATE UNIQUE INDEX "merchants_botId_key" ON "merchants"("botId");
CREATE UNIQUE INDEX "merchants_routeKey_key" ON "merchants"("routeKey");

CREATE TABLE "merchant_settings" (
  "merchantId" INTEGER NOT NULL REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "name" TEXT NOT NULL,
  "value" TEXT NOT NULL,
  "secret" BOOLEAN NOT NULL,
  PRIMARY KEY ("merchantId", "name")
);

INSERT INTO "merchants" ("id", "name", "state", "version", "createdAt", "updatedAt")
VALUES (1, 'default', 'active', 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
-- The next merchant added is 2.
SELECT setval(pg_get_serial_sequence('"merchants"', 'id'), 1);
