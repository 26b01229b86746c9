CREATE TABLE "users" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "telegramId" BIGINT NOT NULL,
  "username" TEXT,
  "firstName" TEXT,
  "language" TEXT NOT NULL DEFAULT 'en',
  "panelLogin" TEXT,
  "lastBalanceMinor" INTEGER,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "users_telegramId_key" ON "users"("telegramId");
CREATE INDEX "users_username_idx" ON "users"("username");
CREATE INDEX "users_panelLogin_idx" ON "users"("panelLogin");

CREATE TABLE "top_ups" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "reference" TEXT NOT NULL,
  "userId" INTEGER NOT NULL REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "chatId" BIGINT NOT NULL,
  "messageId" INTEGER,
  "provider" TEXT NOT NULL,
  "currency" TEXT NOT NULL,
  "amountMinor" INTEGER NOT NULL,
  "panelLogin" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "qr" TEXT,
  "md5" TEXT,
  "checkoutUrl" TEXT,
  "providerRef" TEXT,
  "expiresAt" TIMESTAMP(3) NOT NULL,
  "nextPollAt" TIMESTAMP(3),
  "pollCount" INTEGER NOT NULL DEFAULT 0,
  "paidAt" TIMESTAMP(3),
  "creditedAt" TIMESTAMP(3),
  "closedAt" TIMESTAMP(3),
  "createdAt" TIMESTAMP(3) NOT NULL,
  "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "top_ups_reference_key" ON "top_ups"("reference");
CREATE INDEX "top_ups_status_nextPollAt_idx" ON "top_ups"("status", "nextPollAt");
CREATE INDEX "top_ups_userId_createdAt_idx" ON "top_ups"("userId", "createdAt");
CREATE INDEX "top_ups_md5_idx" ON "top_ups"("md5");
CREATE INDEX "top_ups_createdAt_idx" ON "top_ups"("createdAt");

CREATE TABLE "payments" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "provider" TEXT NOT NULL,
  "providerTxnId" TEXT NOT NULL,
  "topUpId" INTEGER REFERENCES "top_ups"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "amountMinor" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "flag" TEXT NOT NULL,
  "source" TEXT NOT NULL,
  "payer" TEXT,
  "raw" TEXT NOT NULL,
  "observedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "payments_provider_providerTxnId_key" ON "payments"("provider", "providerTxnId");
CREATE INDEX "payments_topUpId_idx" ON "payments"("topUpId");
CREATE INDEX "payments_observedAt_idx" ON "payments"("observedAt");

CREATE TABLE "credits" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "paymentId" INTEGER REFERENCES "payments"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "topUpId" INTEGER,
  "panelLogin" TEXT NOT NULL,
  "amountMinor" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "rate" TEXT,
  "memo" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" TIMESTAMP(3) NOT NULL,
  "firstFailureAt" TIMESTAMP(3),
  "claimedBy" TEXT,
  "claimedUntil" TIMESTAMP(3),
  "errorKind" TEXT,
  "lastError" TEXT,
  "panelPaymentId" TEXT,
  "balanceMinor" INTEGER,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "doneAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "credits_paymentId_key" ON "credits"("paymentId");
CREATE UNIQUE INDEX "credits_memo_key" ON "credits"("memo");
CREATE INDEX "credits_status_nextAttemptAt_idx" ON "credits"("status", "nextAttemptAt");
CREATE INDEX "credits_topUpId_idx" ON "credits"("topUpId");

CREATE TABLE "refunds" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "topUpId" INTEGER NOT NULL REFERENCES "top_ups"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "amountMinor" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "adminId" BIGINT NOT NULL,
  "providerStatus" TEXT NOT NULL,
  "providerRef" TEXT,
  "panelStatus" TEXT NOT NULL,
  "panelDetail" TEXT,
  "createdAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "refunds_topUpId_idx" ON "refunds"("topUpId");
CREATE INDEX "refunds_createdAt_idx" ON "refunds"("createdAt");

CREATE TABLE "audit_log" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "actorId" BIGINT,
  "action" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "reason" TEXT,
  "details" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "audit_log_subject_idx" ON "audit_log"("subject");
CREATE INDEX "audit_log_createdAt_idx" ON "audit_log"("createdAt");

CREATE TABLE "notifications" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "dedupeKey" TEXT NOT NULL,
  "chatId" BIGINT NOT NULL,
  "kind" TEXT NOT NULL,
  "payload" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" TIMESTAMP(3) NOT NULL,
  "claimedUntil" TIMESTAMP(3),
  "lastError" TEXT,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "sentAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "notifications_dedupeKey_key" ON "notifications"("dedupeKey");
CREATE INDEX "notifications_status_nextAttemptAt_idx" ON "notifications"("status", "nextAttemptAt");

CREATE TABLE "key_values" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "value" TEXT NOT NULL,
  "expiresAt" TIMESTAMP(3),
  "updatedAt" TIMESTAMP(3) NOT NULL
);
