export { khqrAmountString } from "./amount.js";
export { crc16 } from "./crc.js";
export { decodeKhqr } from "./decode.js";
export { encodeKhqr } from "./encode.js";
export { KHQR_ERROR_CODES, KhqrError, type KhqrErrorCode } from "./errors.js";
export { khqrMd5 } from "./md5.js";
export { encodeRecords, parseRecords, type KhqrRecord } from "./tlv.js";
export { validateKhqr } from "./validate.js";
export type {
  DecodedKhqr,
  DecodedKhqrAccount,
  KhqrAccount,
  KhqrAltLanguage,
  KhqrCurrency,
  KhqrDecodeResult,
  KhqrInput,
  KhqrValidation,
  ValidKhqr,
} from "./types.js";
