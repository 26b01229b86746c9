// TEMPORARY: only src/jobs/crediter.ts and src/jobs/notifier.ts import this path; the lead moves them to
// src/ledger/outbox.ts in the same change and deletes this file.
export { enqueueNotification, type NotificationPayload } from "../ledger/outbox.js";
