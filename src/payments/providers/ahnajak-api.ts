import { looksLikeReference } from "../reference.js";
import { amountTexts, digitsText } from "./webhook-input.js";

/** Ahnajak's wire shapes (seed 000): the signed checkout link and the webhook payload. */

export const checkoutPath = (profileId: string) => `/api/payment/requestv2/${encodeURIComponent(profileId)}`;
export const checkoutPagePath = (txId: string) => `/payment/khqrcc/${encodeURIComponent(txId)}`;

/** Query of the checkout link, in the order sent. `success_url` is optional and not used (the bot is a chat). */
export interface CheckoutQuery {
  transaction_id: string;
  amount: string;
  remark: string;
  hash: string;
}

/** Our transaction_id: Ahnajak takes any unique string; we keep to characters no layer rewrites. */
export const AHNAJAK_TRANSACTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export type WebhookVariable = "transaction_id" | "amount" | "status" | "hash";
export const WEBHOOK_VARIABLES: readonly WebhookVariable[] = ["transaction_id", "amount", "status", "hash"];

/** Status value of a paid session. */
export const AHNAJAK_PAID_STATUS = "SUCCESS";

/**
 * Where each variable sits in the webhook body. A custom template (`{"order_id":"{{transaction_id}}",...}`)
 * renames fields; a variable the template does not place keeps its default field name.
 */
export function webhookFieldNames(template: Record<string, string> | undefined): Record<WebhookVariable, string> {
  const names: Record<WebhookVariable, string> = { transaction_id: "transaction_id", amount: "amount", status: "status", hash: "hash" };
  for (const [field, value] of Object.entries(template ?? {})) {
    const variable = /^\{\{\s*(\w+)\s*\}\}$/.exec(value.trim())?.[1];
    if (variable && (WEBHOOK_VARIABLES as readonly string[]).includes(variable)) names[variable as WebhookVariable] = field;
  }
  return names;
}

/** The webhook's values once read through the field names, each in its exact format. */
export interface AhnajakWebhook {
  transactionId: string;
  /** The texts the amount may have been hashed as: as sent when a string, "12.50" or "12.5" when a number. */
  amountTexts: string[];
  status: string;
  hash: string;
}

/**
 * Reads the variables of the payload hash `sha256(transaction_id + amount + secret_key)`: no separator
 * between them, so `transaction_id` must be one of our references (digits only, fixed length) and
 * `amount` a plain decimal with at most two places before the hash may count.
 */
export function readWebhookValues(values: Record<WebhookVariable, unknown>): { ok: true; value: AhnajakWebhook } | { ok: false; variables: WebhookVariable[] } {
  const text = (value: unknown, pattern: RegExp) => (typeof value === "string" && pattern.test(value) ? value : undefined);
  const read = {
    transaction_id: digitsText(values.transaction_id, looksLikeReference),
    amount: amountTexts(values.amount),
    status: text(values.status, /^[A-Za-z_]{1,32}$/),
    hash: text(values.hash, /^[0-9a-fA-F]{64}$/),
  };
  const bad = WEBHOOK_VARIABLES.filter((v) => read[v] === undefined);
  if (bad.length > 0) return { ok: false, variables: bad };
  return { ok: true, value: { transactionId: read.transaction_id!, amountTexts: read.amount!, status: read.status!, hash: read.hash! } };
}
