import { z } from "zod";
import { looksLikeReference } from "../../../ledger/reference.js";
import { digitsText } from "../webhook-input.js";

/** RaksmeyPay's wire shapes (seed 001): QR API, Verify Transaction API and the webhook payload. */

/** Fits the QR API's `transaction_id` (a Number of at most 15 digits); a leading zero could be lost as a number. */
export const RAKSMEYPAY_TRANSACTION_ID = /^[1-9]\d{0,14}$/;

export const qrApiPath = (profileId: string) => `/api/payment/qr-api/${encodeURIComponent(profileId)}`;
export const verifyApiPath = (profileId: string) => `/api/payment/verify/${encodeURIComponent(profileId)}`;

export interface QrApiRequest {
  transaction_id: string;
  amount: string;
  remark: string;
  qr_template: 1 | 2;
  hash: string;
}

export interface VerifyApiRequest {
  transaction_id: string;
  hash: string;
}

/** An integer that PHP may send as a number or as a numeric string. */
const integer = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const idText = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);

export const qrApiAnswer = z.object({
  responseCode: integer,
  responseMessage: z.string().optional(),
  data: z.unknown().optional(),
});

/** `data` of a responseCode 0 answer; `hash` and `req_time` are undocumented and unused. */
export const qrApiData = z.object({
  transaction_id: idText,
  amount: z.union([z.string(), z.number()]),
  qr: z.string().min(1),
  md5: z.string().optional(),
  qr_url: z.string().optional(),
  qr_image_url: z.string().optional(),
  req_time: z.number().optional(),
  hash: z.string().optional(),
});

/** `{"status":1,"payment_amount":0.01,"payment_status":"SUCCESS"}` or `{"status":0,"err_msg":"Payment not found"}`. */
export const verifyAnswer = z.object({
  status: integer,
  payment_amount: z.union([z.number().nonnegative(), z.string()]).optional(),
  payment_status: z.string().optional(),
  err_msg: z.string().optional(),
});

/** How far a webhook's `timestamp` may be from our clock before it is held: RaksmeyPay dispatches once, at payment time. */
export const WEBHOOK_TIMESTAMP_WINDOW_S = 15 * 60;

/** The hashed fields of the webhook body, each in the shape that keeps the hash from being re-cut. */
export interface RaksmeyPaySignedFields {
  transactionId: string;
  /** The texts the amount may have been hashed as (one when sent as a string). */
  amountTexts: string[];
  bakongHash: string;
  timestamp: string;
  hash: string;
}

/** An amount text that may be hashed: at most 20 printable ASCII characters, fewer than the 24 between a 40- and a 64-hex bakong_hash. */
const AMOUNT_TEXT = /^[\x21-\x7e]{1,20}$/;

/**
 * Reads the hashed fields. The hash runs over `timestamp . amount . bakong_hash . transaction_id` without
 * separators, so a captured body could be re-cut (characters moved from one field into the next) and
 * still verify, unless the cut is fixed by the formats: `timestamp` (10 digits) and `transaction_id`
 * (one of our 14-digit references) have fixed lengths at both ends, so a verifying body starts and ends
 * with the genuine ones; between them `bakong_hash` is exactly 40 or 64 hex digits and `amount` at most
 * 20 printable ASCII characters, too short to take or give the 24 characters that would turn one hash
 * length into the other. So each field verifies only as it was hashed, whatever the amount looks like;
 * an amount that is not a plain exact decimal is held after verification, not refused.
 */
export function readSignedFields(body: Record<string, unknown>): { ok: true; value: RaksmeyPaySignedFields } | { ok: false; fields: string[] } {
  const text = (value: unknown, pattern: RegExp) => (typeof value === "string" && pattern.test(value) ? value : undefined);
  const value = {
    transactionId: digitsText(body.transaction_id, looksLikeReference),
    amountTexts: hashedAmountTexts(body.amount),
    bakongHash: text(body.bakong_hash, /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/),
    timestamp: digitsText(body.timestamp, (t) => t.length === 10),
    hash: text(body.hash, /^[0-9a-fA-F]{40}$/),
  };
  const names: Record<keyof typeof value, string> = {
    transactionId: "transaction_id", amountTexts: "amount", bakongHash: "bakong_hash", timestamp: "timestamp", hash: "hash",
  };
  const fields = (Object.keys(value) as (keyof typeof value)[]).filter((k) => value[k] === undefined).map((k) => names[k]);
  return fields.length > 0 ? { ok: false, fields } : { ok: true, value: value as RaksmeyPaySignedFields };
}

/**
 * The texts an amount may have been hashed as: a string as sent; a JSON number has lost its text, so
 * its two-place form ("12.50", when exact) and its shortest form ("12.5", "12.505").
 */
function hashedAmountTexts(value: unknown): string[] | undefined {
  if (typeof value === "string") return AMOUNT_TEXT.test(value) ? [value] : undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  const twoPlaces = value.toFixed(2);
  const texts = [...new Set([Number(twoPlaces) === value ? twoPlaces : "", String(value)])].filter((t) => AMOUNT_TEXT.test(t));
  return texts.length > 0 ? texts : undefined;
}

/** The QR API's documented refusals, worded for an admin. */
export const QR_API_REFUSALS: Readonly<Record<number, string>> = {
  1: "RaksmeyPay: profile not found (check RAKSMEYPAY_PROFILE_ID)",
  2: "RaksmeyPay: the profile is not active",
  3: "RaksmeyPay: no Bakong account is configured on the profile (RaksmeyPay dashboard, Settings)",
  4: "RaksmeyPay: invalid hash, so our configuration is wrong (check RAKSMEYPAY_PROFILE_KEY)",
  5: "RaksmeyPay: a KHR amount must be at least 100 riel",
  6: "RaksmeyPay: the amount exceeds the transaction limit",
  7: "RaksmeyPay: daily transaction limit reached",
  8: "RaksmeyPay: this transaction is already paid",
};
