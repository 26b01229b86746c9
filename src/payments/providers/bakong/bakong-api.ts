import { z } from "zod";

/** Bakong Open API paths (docs/khqr-bakong.md, "Bakong Open API"). */
export const BAKONG_PATHS = {
  byMd5: "/v1/check_transaction_by_md5",
  byHash: "/v1/check_transaction_by_hash",
  /** Unconfirmed: only third-party SDKs use it, and they disagree on the body. */
  byMd5List: "/v1/check_transaction_by_md5_list",
  account: "/v1/check_bakong_account",
  deeplink: "/v1/generate_deeplink_by_qr",
} as const;

/** Most md5s one list call accepts. */
export const BAKONG_LIST_LIMIT = 50;

/** The two request bodies seen for the md5 list call. */
export type BakongListShape = "array" | "object";
export function listRequestBody(shape: BakongListShape, md5s: readonly string[]): string {
  return JSON.stringify(shape === "array" ? md5s : { md5List: md5s });
}

/** Every answer: responseCode 0 = success, 1 = error with `errorCode`. */
export const bakongEnvelope = z.object({
  responseCode: z.number().int(),
  responseMessage: z.string().nullish(),
  errorCode: z.number().int().nullish(),
  data: z.unknown(),
});
export type BakongEnvelope = z.infer<typeof bakongEnvelope>;

/**
 * A paid transaction as read before judging it: only the hash must be there (it is the payment's
 * identity); every other field is checked afterwards, so an odd value holds the payment instead
 * of hiding it.
 */
export const bakongTransaction = z.object({
  hash: z.string().trim().min(1).max(128),
  fromAccountId: z.unknown().optional(),
  toAccountId: z.unknown().optional(),
  currency: z.unknown().optional(),
  amount: z.unknown().optional(),
});
export type BakongTransaction = z.infer<typeof bakongTransaction>;

/** One list item; items of any other shape are skipped, and their md5s checked one by one. */
export const bakongListItem = z.object({
  md5: z.string().min(1),
  status: z.string(),
  message: z.string().nullish(),
});

/** Documented error codes (1–10), plus 11 from check_bakong_account. */
export const BAKONG_ERROR = {
  notFound: 1,
  staticQrUnsupported: 2,
  failed: 3,
  deeplink: 4,
  missingFields: 5,
  unauthorized: 6,
  emailDown: 7,
  emailRegistered: 8,
  cannotConnect: 9,
  notRegistered: 10,
  accountNotFound: 11,
} as const;

/** What an admin reads for each error code that is not a per-transaction answer. */
export const BAKONG_ERROR_MESSAGES: Record<number, string> = {
  [BAKONG_ERROR.staticQrUnsupported]: "Bakong: transaction check works for dynamic KHQR only",
  [BAKONG_ERROR.deeplink]: "Bakong: deeplink could not be generated",
  [BAKONG_ERROR.missingFields]: "Bakong: the request is missing required fields",
  [BAKONG_ERROR.unauthorized]: "Bakong token is invalid or expired: renew BAKONG_TOKEN",
  [BAKONG_ERROR.emailDown]: "Bakong: the email service is down",
  [BAKONG_ERROR.emailRegistered]: "Bakong: this email is already registered",
  [BAKONG_ERROR.cannotConnect]: "Bakong: cannot connect to the Bakong server",
  [BAKONG_ERROR.notRegistered]: "Bakong: this account is not registered for the Open API",
  [BAKONG_ERROR.accountNotFound]: "Bakong: account not found",
};
