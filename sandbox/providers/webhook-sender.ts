import { send } from "../../src/http/outbound.js";
import { sleep, type WebhookFaults } from "../faults.js";

/** One webhook attempt of a simulator, and what the receiver answered (or why it could not). */
export interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
  error?: string;
}

/** What one notification posts; `url` replaces the webhook URL (e.g. a forged path). */
export interface WebhookMessage {
  url?: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Posts one notification as the provider would under `faults`: nothing when dropped or when there is
 * no URL; otherwise after `delayMs`, once or (duplicate) twice. `webhookUrl` is read when needed, so a
 * URL set during the delay is the one posted to. `build` runs after the delay and is told whether to
 * forge the signature (bad_signature). Every attempt is handed to `record`.
 */
export async function deliverWebhook(
  faults: WebhookFaults,
  webhookUrl: () => string | undefined,
  build: (forgeSignature: boolean) => WebhookMessage,
  record: (delivery: WebhookDelivery) => void,
): Promise<void> {
  if (!webhookUrl() || faults.mode === "drop") return;
  if (faults.delayMs > 0) await sleep(faults.delayMs);
  const message = build(faults.mode === "bad_signature");
  const times = faults.mode === "duplicate" ? 2 : 1;
  for (let i = 0; i < times; i++) record(await postWebhook(message.url ?? webhookUrl()!, message.headers, message.body));
}

/** One POST; never throws: a failure is recorded as `error`. */
export async function postWebhook(url: string, headers: Record<string, string>, body: string): Promise<WebhookDelivery> {
  try {
    const res = await send(url, { method: "POST", headers, body, timeoutMs: 10_000 });
    return { url, headers, body, status: res.status };
  } catch (err) {
    return { url, headers, body, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Flips the last hex digit: a signature that is well-formed but wrong. */
export function spoilHex(hex: string): string {
  return hex.slice(0, -1) + (hex.at(-1) === "0" ? "1" : "0");
}
