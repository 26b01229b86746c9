import { z } from "zod";

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

/** The webhook's values once read through the field names; numbers are kept as the text they were. */
export const webhookValues = z.object({
  transaction_id: z.union([z.string().min(1), z.number().int().nonnegative().refine(Number.isSafeInteger).transform(String)]),
  amount: z.string().min(1),
  status: z.string(),
  hash: z.string().min(1),
});
