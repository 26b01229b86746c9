import { createHash, createHmac } from "node:crypto";

/** Ahnajak's hashes (seed 000): lower-case hex SHA-256 over plain concatenation, no separators. */
function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Checkout request: sha256(profile_id + transaction_id + amount + secret_key). */
export function checkoutRequestHash(profileId: string, transactionId: string, amount: string, secretKey: string): string {
  return sha256Hex(profileId + transactionId + amount + secretKey);
}

/** Webhook payload `hash` field: sha256(transaction_id + amount + secret_key). */
export function webhookPayloadHash(transactionId: string, amount: string, secretKey: string): string {
  return sha256Hex(transactionId + amount + secretKey);
}

/** `X-Ahnajak-Signature` header: hex HMAC-SHA256 keyed with the secret over the exact body bytes. */
export function webhookSignature(secretKey: string, body: Buffer | string): string {
  return createHmac("sha256", secretKey).update(body).digest("hex");
}
