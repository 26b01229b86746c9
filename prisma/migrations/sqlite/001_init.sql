CREATE TABLE "users" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "telegramId" BIGINT NOT NULL,
  "username" TEXT,
  "firstName" TEXT,
  "language" TEXT NOT NULL DEFAULT 'en',
  "panelLogin" TEXT,
  "lastBalanceMinor" INTEGER,
  "createdAt" DATETIME NOT NULL,
  "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "users_telegramId_key" ON "users"("telegramId");
CREATE INDEX "users_username_idx" ON "users"("username");
CREATE INDEX "users_panelLogin_idx" ON "users"("panelLogin");

CREATE TABLE "top_ups" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
  "expiresAt" DATETIME NOT NULL,
  "nextPollAt" DATETIME,
  "pollCount" INTEGER NOT NULL DEFAULT 0,
  "paidAt" DATETIME,
  "creditedAt" DATETIME,
  "closedAt" DATETIME,
  "createdAt" DATETIME NOT NULL,
  "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "top_ups_reference_key" ON "top_ups"("reference");
CREATE INDEX "top_ups_status_nextPollAt_idx" ON "top_ups"("status", "nextPollAt");
CREATE INDEX "top_ups_userId_createdAt_idx" ON "top_ups"("userId", "createdAt");
CREATE INDEX "top_ups_md5_idx" ON "top_ups"("md5");
CREATE INDEX "top_ups_createdAt_idx" ON "top_ups"("createdAt");

CREATE TABLE "payments" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "provider" TEXT NOT NULL,
  "providerTxnId" TEXT NOT NULL,
  "topUpId" INTEGER REFERENCES "top_ups"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "amountMinor" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "flag" TEXT NOT NULL,
  "source" TEXT NOT NULL,
  "payer" TEXT,
  "raw" TEXT NOT NULL,
  "observedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "payments_provider_providerTxnId_key" ON "payments"("provider", "providerTxnId");
CREATE INDEX "payments_topUpId_idx" ON "payments"("topUpId");
CREATE INDEX "payments_observedAt_idx" ON "payments"("observedAt");

CREATE TABLE "credits" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
  "nextAttemptAt" DATETIME NOT NULL,
  "firstFailureAt" DATETIME,
  "claimedBy" TEXT,
  "claimedUntil" DATETIME,
  "errorKind" TEXT,
  "lastError" TEXT,
  "panelPaymentId" TEXT,
  "balanceMinor" INTEGER,
  "createdAt" DATETIME NOT NULL,
  "doneAt" DATETIME
);
CREATE UNIQUE INDEX "credits_paymentId_key" ON "credits"("paymentId");
CREATE UNIQUE INDEX "credits_memo_key" ON "credits"("memo");
CREATE INDEX "credits_status_nextAttemptAt_idx" ON "credits"("status", "nextAttemptAt");
CREATE INDEX "credits_topUpId_idx" ON "credits"("topUpId");

CREATE TABLE "refunds" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "topUpId" INTEGER NOT NULL REFERENCES "top_ups"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "amountMinor" INTEGER NOT NULL,
  "currency" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "adminId" BIGINT NOT NULL,
  "providerStatus" TEXT NOT NULL,
  "providerRef" TEXT,
  "panelStatus" TEXT NOT NULL,
  "panelDetail" TEXT,
  "createdAt" DATETIME NOT NULL
);
CREATE INDEX "refunds_topUpId_idx" ON "refunds"("topUpId");
CREATE INDEX "refunds_createdAt_idx" ON "refunds"("createdAt");

CREATE TABLE "audit_log" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "actorId" BIGINT,
  "action" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "reason" TEXT,
  "details" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL
);
CREATE INDEX "audit_log_subject_idx" ON "audit_log"("subject");
CREATE INDEX "audit_log_createdAt_idx" ON "audit_log"("createdAt");

CREATE TABLE "notifications" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "dedupeKey" TEXT NOT NULL,
  "chatId" BIGINT NOT NULL,
  "kind" TEXT NOT NULL,
  "payload" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" DATETIME NOT NULL,
  "claimedUntil" DATETIME,
  "lastError" TEXT,
  "createdAt" DATETIME NOT NULL,
  "sentAt" DATETIME
);
CREATE UNIQUE INDEX "notifications_dedupeKey_key" ON "notifications"("dedupeKey");
CREATE INDEX "notifications_status_nextAttemptAt_idx" ON "notifications"("status", "nextAttemptAt");

CREATE TABLE "key_values" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "value" TEXT NOT NULL,
  "expiresAt" DATETIME,
  "updatedAt" DATETIME NOT NULL
);
