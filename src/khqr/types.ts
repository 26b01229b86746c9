import type { KhqrError } from "./errors.js";
import type { KhqrRecord } from "./tlv.js";

export type KhqrCurrency = "USD" | "KHR";

export type KhqrAccount =
  /** tag 29 */
  | { kind: "individual"; bakongAccountId: string; accountInformation?: string; acquiringBank?: string }
  /** tag 30 */
  | { kind: "merchant"; bakongAccountId: string; merchantId: string; acquiringBank: string }
  /** tag 30 + sub-tag 62.68 (ABA PayWay) */
  | { kind: "payway"; bakongAccountId: string; merchantId: string; acquiringBank: string; paywayData: string };

export interface KhqrAltLanguage {
  languageCode: string;
  merchantName: string;
  merchantCity?: string;
}

export interface KhqrInput {
  account: KhqrAccount;
  merchantName: string;
  merchantCity: string;
  currency: KhqrCurrency;
  /** Integer minor units: USD cents, whole riel. Absent => static QR. */
  amountMinor?: number;
  /** Default "5999". */
  mcc?: string;
  billNumber?: string;
  mobileNumber?: string;
  storeLabel?: string;
  terminalLabel?: string;
  purpose?: string;
  altLanguage?: KhqrAltLanguage;
  /** Epoch ms (tag 99.00). Defaults to now when `expiresAt` is given. */
  createdAt?: number;
  /** Epoch ms (tag 99.01). Required when `amountMinor` is given. */
  expiresAt?: number;
}

/** Account as found in a string: fields may be missing until validated. */
export type DecodedKhqrAccount =
  | { kind: "individual"; bakongAccountId?: string; accountInformation?: string; acquiringBank?: string }
  | { kind: "merchant"; bakongAccountId?: string; merchantId?: string; acquiringBank?: string }
  | { kind: "payway"; bakongAccountId?: string; merchantId?: string; acquiringBank?: string; paywayData: string };

/** Typed view of a parsed string; each field is the first record with its tag, if it could be read. */
export interface DecodedKhqr {
  records: KhqrRecord[];
  pointOfInitiation?: "static" | "dynamic";
  account?: DecodedKhqrAccount;
  mcc?: string;
  currency?: KhqrCurrency;
  amountMinor?: number;
  countryCode?: string;
  merchantName?: string;
  merchantCity?: string;
  billNumber?: string;
  mobileNumber?: string;
  storeLabel?: string;
  terminalLabel?: string;
  purpose?: string;
  paywayData?: string;
  altLanguage?: Partial<KhqrAltLanguage>;
  createdAt?: number;
  expiresAt?: number;
  crc?: string;
}

/** A string that passed `validateKhqr`: the mandatory fields are known to be present. */
export interface ValidKhqr extends DecodedKhqr {
  account: KhqrAccount;
  mcc: string;
  currency: KhqrCurrency;
  merchantName: string;
  merchantCity: string;
  crc: string;
}

export type KhqrDecodeResult = { ok: true; value: DecodedKhqr } | { ok: false; error: KhqrError };
export type KhqrValidation = { ok: true; value: ValidKhqr } | { ok: false; error: KhqrError };
