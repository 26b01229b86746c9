import { crc16 } from "./crc.js";
import { findRecord, decodeKhqr } from "./decode.js";
import { KhqrError } from "./errors.js";
import { COUNTRY, DYNAMIC_QR, MAX_LENGTH, MCC_PATTERN, STATIC_QR, TIMESTAMP_PATTERN } from "./fields.js";
import type { KhqrRecord } from "./tlv.js";
import type { DecodedKhqr, KhqrValidation, ValidKhqr } from "./types.js";

interface Subject {
  qr: string;
  khqr: DecodedKhqr;
  now: () => number;
  /** Value of a record by "tag" or "tag.sub". */
  get(path: string): string | undefined;
}

type Check = (subject: Subject) => KhqrError | undefined;

const REQUIRED_TAGS = ["00", "52", "53", "58", "59", "60", "63"];
const KNOWN_TEMPLATES = ["29", "30", "62", "64", "99"];
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Checks everything NBC's SDK `verify` checks (CRC, required tags, MCC, currency, amount,
 * expiry of a dynamic QR against `now`) and more: every documented length, country KH,
 * tag 30's merchant id and bank, amount text per currency, no duplicate tags.
 * Never throws; the first failed rule decides the error code.
 */
export function validateKhqr(qr: string, opts: { now?: () => number } = {}): KhqrValidation {
  const decoded = decodeKhqr(qr);
  if (!decoded.ok) return decoded;
  const khqr = decoded.value;
  const subject: Subject = { qr, khqr, now: opts.now ?? Date.now, get: (path) => valueAt(khqr.records, path) };
  for (const check of CHECKS) {
    const error = check(subject);
    if (error) return { ok: false, error };
  }
  // The checks above establish every field that ValidKhqr makes mandatory.
  return { ok: true, value: khqr as ValidKhqr };
}

function valueAt(records: readonly KhqrRecord[], path: string): string | undefined {
  const [tag = "", sub] = path.split(".");
  const record = findRecord(records, tag);
  return sub === undefined ? record?.value : findRecord(record?.children, sub)?.value;
}

const checkCrc: Check = ({ qr, khqr }) => {
  const last = khqr.records.at(-1);
  if (last?.tag !== "63" || !HEX4.test(last.value)) {
    return new KhqrError("CRC_MISSING", "string must end with 6304 and 4 hex digits", "63");
  }
  if (crc16(qr.slice(0, -4)) !== last.value.toUpperCase()) {
    return new KhqrError("CRC_MISMATCH", "CRC does not match the content", "63");
  }
  return undefined;
};

const checkPayloadFormat: Check = ({ khqr }) => {
  const first = khqr.records[0];
  return first?.tag === "00" && first.value === "01"
    ? undefined
    : new KhqrError("INVALID_PAYLOAD_FORMAT", "string must start with 000201", "00");
};

const checkStructure: Check = ({ khqr }) => {
  const duplicate = (records: readonly KhqrRecord[]) => records.find((r, i) => records.findIndex((o) => o.tag === r.tag) !== i);
  const top = duplicate(khqr.records);
  if (top) return new KhqrError("DUPLICATE_TAG", "tag appears twice", top.tag);
  for (const record of khqr.records) {
    if (KNOWN_TEMPLATES.includes(record.tag) && !record.children) {
      return new KhqrError("MALFORMED", "template value is not ID-LEN-VALUE records", record.tag);
    }
    const inner = record.children && duplicate(record.children);
    if (inner) return new KhqrError("DUPLICATE_TAG", "sub-tag appears twice", `${record.tag}.${inner.tag}`);
  }
  return undefined;
};

const checkRequired: Check = ({ get }) => {
  const missing = REQUIRED_TAGS.find((tag) => get(tag) === undefined);
  if (missing) return new KhqrError("MISSING_FIELD", "required tag missing", missing);
  if (get("29") === undefined && get("30") === undefined) {
    return new KhqrError("MISSING_FIELD", "merchant account information (29 or 30) missing", "29");
  }
  return undefined;
};

const checkLengths: Check = ({ get }) => {
  for (const [path, max] of Object.entries(MAX_LENGTH)) {
    const value = get(path);
    if (value !== undefined && (value.length === 0 || value.length > max)) {
      return new KhqrError("INVALID_LENGTH", `must be 1 to ${max} characters`, path);
    }
  }
  return undefined;
};

const checkPointOfInitiation: Check = ({ get }) => {
  const value = get("01");
  return value === undefined || value === STATIC_QR || value === DYNAMIC_QR
    ? undefined
    : new KhqrError("INVALID_POINT_OF_INITIATION", "point of initiation must be 11 or 12", "01");
};

const checkAccount: Check = ({ get }) => {
  const individual = get("29") !== undefined;
  if (individual && get("30") !== undefined) {
    return new KhqrError("INVALID_ACCOUNT", "both individual (29) and merchant (30) accounts present", "30");
  }
  const tag = individual ? "29" : "30";
  const id = get(`${tag}.00`);
  if (id === undefined) return new KhqrError("MISSING_FIELD", "Bakong account id missing", `${tag}.00`);
  if (!id.includes("@")) return new KhqrError("INVALID_ACCOUNT", "Bakong account id must look like name@bank", `${tag}.00`);
  if (individual) return undefined;
  const missing = ["30.01", "30.02"].find((path) => get(path) === undefined);
  return missing ? new KhqrError("MISSING_FIELD", "merchant id and acquiring bank are required", missing) : undefined;
};

const checkMerchantFields: Check = ({ get, khqr }) => {
  if (!MCC_PATTERN.test(get("52") ?? "")) return new KhqrError("INVALID_MCC", "MCC must be 4 digits", "52");
  if (!khqr.currency) return new KhqrError("UNSUPPORTED_CURRENCY", "currency must be 116 (KHR) or 840 (USD)", "53");
  if (get("15") !== undefined && khqr.currency === "USD") {
    return new KhqrError("UNIONPAY_WITH_USD", "a UnionPay account is not allowed with USD", "15");
  }
  if (get("58") !== COUNTRY) return new KhqrError("INVALID_COUNTRY", `country must be ${COUNTRY}`, "58");
  if (get("64") !== undefined) {
    const missing = ["64.00", "64.01"].find((path) => get(path) === undefined);
    if (missing) return new KhqrError("MISSING_FIELD", "language code and alternate name are required", missing);
  }
  return undefined;
};

const checkAmount: Check = ({ get, khqr }) => {
  if (get("54") === undefined) {
    return khqr.pointOfInitiation === "dynamic"
      ? new KhqrError("INVALID_AMOUNT", "a dynamic QR needs an amount", "54")
      : undefined;
  }
  const minor = khqr.amountMinor;
  if (minor === undefined || minor <= 0) {
    const rule = khqr.currency === "KHR" ? "whole riel" : "dollars with at most 2 decimals";
    return new KhqrError("INVALID_AMOUNT", `amount must be positive ${rule}`, "54");
  }
  return undefined;
};

const checkTimestamps: Check = ({ get, khqr, now }) => {
  for (const path of ["99.00", "99.01"]) {
    const value = get(path);
    if (value !== undefined && !TIMESTAMP_PATTERN.test(value)) {
      return new KhqrError("INVALID_TIMESTAMP", "timestamp must be 13-digit epoch milliseconds", path);
    }
  }
  const { createdAt, expiresAt } = khqr;
  if (createdAt !== undefined && expiresAt !== undefined && expiresAt < createdAt) {
    return new KhqrError("INVALID_TIMESTAMP", "expiry is before creation", "99.01");
  }
  if (khqr.pointOfInitiation !== "dynamic" && get("54") === undefined) return undefined;
  if (expiresAt === undefined) return new KhqrError("EXPIRY_REQUIRED", "a QR with an amount needs an expiry", "99.01");
  return expiresAt < now() ? new KhqrError("EXPIRED", "the QR has expired", "99.01") : undefined;
};

const CHECKS: readonly Check[] = [
  checkCrc,
  checkPayloadFormat,
  checkStructure,
  checkRequired,
  checkLengths,
  checkPointOfInitiation,
  checkAccount,
  checkMerchantFields,
  checkAmount,
  checkTimestamps,
];
