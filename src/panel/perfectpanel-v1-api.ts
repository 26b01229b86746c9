/**
 * PerfectPanel Admin API v1 wire shapes: one form-encoded endpoint, the key and `action` as fields.
 * Parts marked "unconfirmed" come from integrations, not the vendor; correct them here.
 */
import { z } from "zod";

export const V1_PATH = "/adminapi/v1";

export type V1Action = "addPayment" | "deductPayment" | "getUser";

/** Error codes the client treats specially; any other code reaches the admin as the panel's own text. */
export const V1_ERRORS = { badAction: "bad_action", badUsername: "bad_username" } as const;

type Fields = Record<string, string | number>;

export function v1Request(key: string, action: V1Action, fields: Fields): Fields {
  return { key, action, ...fields };
}

/** `details` is the free-text memo; `affiliate_commission` 0 keeps the user's referrer from earning on a top-up. */
export function v1AddPaymentFields(username: string, amount: string, memo: string): Fields {
  return { username, amount, details: memo, affiliate_commission: 0 };
}

export function v1DeductPaymentFields(username: string, amount: string, memo: string): Fields {
  return { username, amount, details: memo };
}

export function v1GetUserFields(username: string): Fields {
  return { username };
}

export const v1Success = z.object({ status: z.literal("success") });

/** `{"status":"fail","error":"bad_username"}`; a bare `{"error":"…"}` (as the user API answers) is taken as a failure too. */
export const v1Failure = z.union([
  z.object({ status: z.literal("fail"), error: z.unknown().optional() }),
  z.object({ error: z.string() }),
]);

const v1UserFields = z.object({
  username: z.string().optional(),
  login: z.string().optional(),
  balance: z.union([z.string(), z.number()]).nullish(),
});

/** getUser's answer is unconfirmed: the user's fields may sit in `user`, in `data` or beside `status`. */
export const v1UserAnswer = v1Success.extend(v1UserFields.shape).extend({
  user: v1UserFields.optional(),
  data: v1UserFields.optional(),
});
