import { createHash, randomBytes } from "node:crypto";
import { BASELINE_SIGNATURE_HEADER, baselineSignature } from "./baseline-server.js";

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * One signed RaksmeyPay webhook per reference, built by hand from the published scheme (not with the
 * project's signing code): X-Api-Key header, hash = sha1(profile_key . timestamp . amount . bakong_hash . transaction_id).
 */
export function signedWebhooks(job: { refs: readonly string[]; profileId: string; profileKey: string; webhookApiKey: string; amount: string; currency: string }): { body: string; headers: Record<string, string> }[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return job.refs.map((transactionId) => {
    const bakongHash = randomBytes(32).toString("hex");
    const hash = sha1(job.profileKey + String(timestamp) + job.amount + bakongHash + transactionId);
    const body = JSON.stringify({
      transaction_id: transactionId, amount: job.amount, currency: job.currency, status: "success",
      profile_id: job.profileId, bakong_hash: bakongHash, timestamp, hash,
    });
    const headers = { "content-type": "application/json", "x-api-key": job.webhookApiKey, [BASELINE_SIGNATURE_HEADER]: baselineSignature(job.webhookApiKey, body) };
    return { body, headers };
  });
}
