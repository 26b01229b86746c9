export const KHQR_ERROR_CODES = [
  "MALFORMED",
  "CRC_MISSING",
  "CRC_MISMATCH",
  "DUPLICATE_TAG",
  "MISSING_FIELD",
  "INVALID_LENGTH",
  "INVALID_PAYLOAD_FORMAT",
  "INVALID_POINT_OF_INITIATION",
  "INVALID_ACCOUNT",
  "INVALID_MCC",
  "UNSUPPORTED_CURRENCY",
  "UNIONPAY_WITH_USD",
  "INVALID_AMOUNT",
  "INVALID_COUNTRY",
  "INVALID_TIMESTAMP",
  "EXPIRY_REQUIRED",
  "EXPIRED",
] as const;

export type KhqrErrorCode = (typeof KHQR_ERROR_CODES)[number];

export class KhqrError extends Error {
  override readonly name = "KhqrError";

  /** `tag` names the offending record, e.g. "59" or "62.01". */
  constructor(
    readonly code: KhqrErrorCode,
    message: string,
    readonly tag?: string,
  ) {
    super(tag === undefined ? message : `${message} (tag ${tag})`);
  }
}
