/**
 * PerfectPanel Admin API v2 wire shapes: every path, request body and answer the client relies on.
 * Parts marked "unconfirmed" come from integrations, not the vendor; correct them here.
 */
import { z } from "zod";

export const V2_PATHS = {
  users: "/adminapi/v2/users",
  addPayment: "/adminapi/v2/payments/add",
  payments: "/adminapi/v2/payments",
} as const;

export const V2_AUTH_HEADER = "X-Api-Key";
export const V2_PAYMENTS_PAGE_SIZE = 100;

const numericCode = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]);
const idLike = z.union([z.string(), z.number()]).transform(String);
const amountLike = z.union([z.string(), z.number()]);

/** `error_code` 0 is success; anything else is a failure whose `error_message` is for the admin. */
export const v2Envelope = z.object({
  data: z.unknown(),
  error_code: numericCode,
  error_message: z.unknown().optional(),
});

/** User fields are unconfirmed: the login may be `username` or `login`, the balance a string or a number. */
export const v2User = z.object({
  username: z.string().optional(),
  login: z.string().optional(),
  balance: amountLike.nullish(),
});

export const v2UserList = z.object({ count: z.number().optional(), list: z.array(v2User) });

export interface V2AddPaymentRequest {
  username: string;
  /** A JSON number with at most 2 decimals, e.g. 10.5 for "10.50". */
  amount: number;
  /** A payment method name configured on the panel (PANEL_PAYMENT_METHOD); unconfirmed whether it must exist. */
  method: string;
  memo: string;
  affiliate_commission: boolean;
}

export const v2AddPaymentData = z.object({
  payment_id: idLike.optional(),
  user: z.object({ balance: amountLike.nullish() }).optional(),
});

/** Payment item fields are unconfirmed: the memo may be called `memo`, `comment` or `details`. */
export const V2_MEMO_FIELDS = ["memo", "comment", "details"] as const;

/** The id field of a payment item is unconfirmed too: `id` or `payment_id`. */
export const v2PaymentItemId = z.object({ id: idLike.optional(), payment_id: idLike.optional() });

export const v2Pagination = z.object({ next_page_href: z.string().nullish() });

/** Where `pagination` sits is unconfirmed: beside `data` or inside it. */
export const v2PaymentList = z.object({
  count: z.number().optional(),
  list: z.array(z.record(z.string(), z.unknown())),
  pagination: v2Pagination.optional(),
});
