import { z } from "zod";

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

/**
 * The webhook body. `amount` is a string by the seed; `timestamp` an integer (a digit string is
 * accepted too). The hash covers each field's text exactly as sent, so numbers are kept as text.
 */
export const webhookPayload = z.object({
  transaction_id: z.union([z.string().min(1), z.number().int().nonnegative().refine(Number.isSafeInteger).transform(String)]),
  amount: z.string().min(1),
  currency: z.string().min(1),
  status: z.string(),
  profile_id: z.string().min(1),
  bakong_hash: z.string().min(1),
  timestamp: z.union([z.number().int().nonnegative().refine(Number.isSafeInteger).transform(String), z.string().regex(/^\d+$/)]),
  hash: z.string().min(1),
});

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
