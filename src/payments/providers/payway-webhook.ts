import { z } from "zod";

/**
 * The payment notification ABA PayWay posts for a paid KHQR (seed 003). Only the fields we act on
 * are required; the rest are kept in `raw` for the admin.
 */
export const payWayWebhookBody = z.object({
  tran_id: z.string().min(1),
  merchant_ref: z.string().min(1),
  datetime: z.string().optional(),
  bank_ref: z.string().optional(),
  /** "0" is a successful payment; the seed shows a string, a bare number is accepted too. */
  status: z.union([z.string(), z.number()]).transform(String),
  description: z.string().optional(),
  apv: z.string().optional(),
  /** What the merchant receives: a JSON number in the seed (`100`), a decimal string is accepted too. */
  original_amount: z.union([z.number(), z.string()]),
  original_currency: z.enum(["USD", "KHR"]),
  payment_amount: z.union([z.number(), z.string()]).optional(),
  payment_currency: z.string().optional(),
  payment_type: z.string().optional(),
  payer_account: z.string().optional(),
  payer_name: z.string().optional(),
  bank_name: z.string().optional(),
});

export type PayWayWebhookBody = z.infer<typeof payWayWebhookBody>;

/** The status value that means "paid". */
export const PAYWAY_PAID_STATUS = "0";
