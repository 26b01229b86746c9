import type { KhqrCurrency } from "./types.js";

export const CURRENCY_CODE: Record<KhqrCurrency, string> = { USD: "840", KHR: "116" };
export const CURRENCY_BY_CODE: Readonly<Record<string, KhqrCurrency>> = { "840": "USD", "116": "KHR" };

export const STATIC_QR = "11";
export const DYNAMIC_QR = "12";
export const DEFAULT_MCC = "5999";
export const COUNTRY = "KH";

/** Longest allowed value (JavaScript String.length) per record, "tag" or "tag.sub". */
export const MAX_LENGTH: Readonly<Record<string, number>> = {
  "29.00": 32, "29.01": 32, "29.02": 32,
  "30.00": 32, "30.01": 32, "30.02": 32,
  "54": 13,
  "59": 25,
  "60": 15,
  "62.01": 25, "62.02": 25, "62.03": 25, "62.07": 25, "62.08": 25,
  "64.00": 2, "64.01": 25, "64.02": 15,
};

export const MCC_PATTERN = /^\d{4}$/;
export const TIMESTAMP_PATTERN = /^\d{13}$/;
