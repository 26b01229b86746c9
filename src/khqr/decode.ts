import { parseAmountMinor } from "./amount.js";
import { KhqrError } from "./errors.js";
import { CURRENCY_BY_CODE, DYNAMIC_QR, STATIC_QR, TIMESTAMP_PATTERN } from "./fields.js";
import { parseRecords, type KhqrRecord } from "./tlv.js";
import type { DecodedKhqr, DecodedKhqrAccount, KhqrDecodeResult } from "./types.js";

/** Parses a KHQR string into its records and a typed view. Never throws; checks structure only. */
export function decodeKhqr(qr: string): KhqrDecodeResult {
  if (typeof qr !== "string" || qr.length === 0) {
    return { ok: false, error: new KhqrError("MALFORMED", "empty or not a string") };
  }
  const records = parseRecords(qr);
  if (!Array.isArray(records)) {
    return { ok: false, error: new KhqrError("MALFORMED", `not an ID-LEN-VALUE record at offset ${records.failedAt}`) };
  }
  return { ok: true, value: typedView(records) };
}

export function findRecord(records: readonly KhqrRecord[] | undefined, tag: string): KhqrRecord | undefined {
  return records?.find((record) => record.tag === tag);
}

function typedView(records: KhqrRecord[]): DecodedKhqr {
  const top = (tag: string) => findRecord(records, tag)?.value;
  const sub = (tag: string, subTag: string) => findRecord(findRecord(records, tag)?.children, subTag)?.value;
  const currency = CURRENCY_BY_CODE[top("53") ?? ""];
  const amountText = top("54");
  const altLanguage = findRecord(records, "64")?.children
    ? { languageCode: sub("64", "00"), merchantName: sub("64", "01"), merchantCity: sub("64", "02") }
    : undefined;
  return {
    records,
    pointOfInitiation: pointOfInitiation(top("01")),
    account: decodeAccount(records),
    mcc: top("52"),
    currency,
    amountMinor: amountText !== undefined && currency ? parseAmountMinor(amountText, currency) : undefined,
    countryCode: top("58"),
    merchantName: top("59"),
    merchantCity: top("60"),
    billNumber: sub("62", "01"),
    mobileNumber: sub("62", "02"),
    storeLabel: sub("62", "03"),
    terminalLabel: sub("62", "07"),
    purpose: sub("62", "08"),
    paywayData: sub("62", "68"),
    altLanguage,
    createdAt: epochMs(sub("99", "00")),
    expiresAt: epochMs(sub("99", "01")),
    crc: top("63"),
  };
}

function decodeAccount(records: readonly KhqrRecord[]): DecodedKhqrAccount | undefined {
  const account = findRecord(records, "29") ?? findRecord(records, "30");
  if (!account) return undefined;
  const field = (subTag: string) => findRecord(account.children, subTag)?.value;
  if (account.tag === "29") {
    return {
      kind: "individual",
      bakongAccountId: field("00"),
      accountInformation: field("01"),
      acquiringBank: field("02"),
    };
  }
  const fields = { bakongAccountId: field("00"), merchantId: field("01"), acquiringBank: field("02") };
  const paywayData = findRecord(findRecord(records, "62")?.children, "68")?.value;
  return paywayData === undefined ? { kind: "merchant", ...fields } : { kind: "payway", ...fields, paywayData };
}

function pointOfInitiation(value: string | undefined): DecodedKhqr["pointOfInitiation"] {
  if (value === STATIC_QR) return "static";
  return value === DYNAMIC_QR ? "dynamic" : undefined;
}

function epochMs(text: string | undefined): number | undefined {
  return text !== undefined && TIMESTAMP_PATTERN.test(text) ? Number(text) : undefined;
}
