import { createHash } from "node:crypto";

/** RaksmeyPay's hashes (seed 001): lower-case hex SHA-1 over plain concatenation, no separators. */
function sha1Hex(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** QR API: sha1(profile_key . transaction_id . amount . remark); qr_template is not hashed. */
export function qrRequestHash(profileKey: string, transactionId: string, amount: string, remark: string): string {
  return sha1Hex(profileKey + transactionId + amount + remark);
}

/** Verify Transaction API: sha1(profile_key . transaction_id). */
export function verifyRequestHash(profileKey: string, transactionId: string): string {
  return sha1Hex(profileKey + transactionId);
}

/** Webhook payload: sha1(profile_key . timestamp . amount . bakong_hash . transaction_id). */
export function webhookHash(profileKey: string, timestamp: string, amount: string, bakongHash: string, transactionId: string): string {
  return sha1Hex(profileKey + timestamp + amount + bakongHash + transactionId);
}
