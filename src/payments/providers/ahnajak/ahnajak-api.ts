import { looksLikeReference } from "../../../ledger/reference.js";
import { digitsText, shown } from "../webhook-input.js";

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

/**
 * The webhook's values once read through the field names. The body has passed its HMAC (over the exact
 * bytes), so nothing in it can have been re-cut or edited: a value that is not as documented is named
 * in `odd` and the payment is held for an admin, not refused.
 */
export interface AhnajakWebhook {
  /** Our reference, when `transaction_id` is one. */
  reference?: string;
  /** `transaction_id` as text when it is not a reference of ours but still an id (the payment is then an orphan). */
  otherId?: string;
  /** `amount` as sent. */
  amount: unknown;
  /** The texts the payload hash may have been taken over: as sent when a string, "12.50" or "12.5" when a number. */
  amountTexts: string[];
  /** `status` when it is a word. */
  status?: string;
  /** The payload hash, lower case, when it is 64 hex digits. */
  hash?: string;
  odd: string[];
}

export function readWebhookValues(values: Record<WebhookVariable, unknown>, fields: Record<WebhookVariable, string>): AhnajakWebhook {
  const odd: string[] = [];
  const reference = digitsText(values.transaction_id, looksLikeReference);
  const otherId = reference === undefined ? idText(values.transaction_id) : undefined;
  if (reference === undefined && otherId === undefined) odd.push(`${fields.transaction_id} ${shown(values.transaction_id)}`);
  const amount = values.amount;
  const amountTexts = typeof amount === "string" ? [amount] : typeof amount === "number" && Number.isFinite(amount) ? [...new Set([amount.toFixed(2), String(amount)])] : [];
  const status = typeof values.status === "string" && /^[A-Za-z_]{1,32}$/.test(values.status) ? values.status : undefined;
  if (status === undefined) odd.push(`${fields.status} ${shown(values.status)}`);
  const hash = typeof values.hash === "string" && /^[0-9a-fA-F]{64}$/.test(values.hash) ? values.hash.toLowerCase() : undefined;
  if (hash === undefined) odd.push(`${fields.hash} ${shown(values.hash)} is not a SHA-256 payload hash`);
  return { reference, otherId, amount, amountTexts, status, hash, odd };
}

/** Another system's transaction id (Ahnajak takes any unique string): short text without control characters. */
function idText(value: unknown): string | undefined {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === "string" && /^[\x21-\x7e]{1,64}$/.test(text) ? text : undefined;
}
