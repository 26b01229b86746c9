import { khqrAmountString } from "./amount.js";
import { crc16 } from "./crc.js";
import { KhqrError } from "./errors.js";
import {
  COUNTRY, CURRENCY_CODE, DEFAULT_MCC, DYNAMIC_QR, MAX_LENGTH, MCC_PATTERN, STATIC_QR,
} from "./fields.js";
import { encodeRecords, leaf, template, type KhqrRecord } from "./tlv.js";
import type { KhqrAccount, KhqrCurrency, KhqrInput } from "./types.js";

/** Builds a KHQR string in the tag order of NBC's SDK. Throws `KhqrError` on invalid input. */
export function encodeKhqr(input: KhqrInput): string {
  if (!Object.hasOwn(CURRENCY_CODE, input.currency)) {
    throw new KhqrError("UNSUPPORTED_CURRENCY", `unsupported currency ${String(input.currency)}`, "53");
  }
  const dynamic = input.amountMinor !== undefined;
  const mcc = input.mcc ?? DEFAULT_MCC;
  if (!MCC_PATTERN.test(mcc)) throw new KhqrError("INVALID_MCC", "MCC must be 4 digits", "52");

  const records: KhqrRecord[] = [
    leaf("00", "01"),
    leaf("01", dynamic ? DYNAMIC_QR : STATIC_QR),
    accountRecord(input.account),
    leaf("52", mcc),
    leaf("53", CURRENCY_CODE[input.currency]),
  ];
  if (input.amountMinor !== undefined) records.push(amountRecord(input.amountMinor, input.currency));
  records.push(
    leaf("58", COUNTRY),
    leaf("59", required("59", input.merchantName)),
    leaf("60", required("60", input.merchantCity)),
  );
  pushTemplate(records, "62", [
    ["01", input.billNumber],
    ["02", input.mobileNumber],
    ["03", input.storeLabel],
    ["07", input.terminalLabel],
    ["08", input.purpose],
    ["68", input.account.kind === "payway" ? required("62.68", input.account.paywayData) : undefined],
  ]);
  if (input.altLanguage) {
    const { languageCode, merchantName, merchantCity } = input.altLanguage;
    if (languageCode.length !== 2) throw new KhqrError("INVALID_LENGTH", "language code must be 2 characters", "64.00");
    pushTemplate(records, "64", [
      ["00", languageCode],
      ["01", required("64.01", merchantName)],
      ["02", merchantCity],
    ]);
  }
  pushTemplate(records, "99", timestamps(input, dynamic));

  const body = encodeRecords(records) + "6304";
  return body + crc16(body);
}

function accountRecord(account: KhqrAccount): KhqrRecord {
  const tag = account.kind === "individual" ? "29" : "30";
  const id = required(`${tag}.00`, account.bakongAccountId);
  if (!id.includes("@")) throw new KhqrError("INVALID_ACCOUNT", "Bakong account id must look like name@bank", `${tag}.00`);
  if (account.kind === "individual") {
    return subRecords(tag, [["00", id], ["01", account.accountInformation], ["02", account.acquiringBank]]);
  }
  return subRecords(tag, [
    ["00", id],
    ["01", required("30.01", account.merchantId)],
    ["02", required("30.02", account.acquiringBank)],
  ]);
}

function amountRecord(amountMinor: number, currency: KhqrCurrency): KhqrRecord {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new KhqrError("INVALID_AMOUNT", `amount must be a positive integer in minor units, got ${amountMinor}`, "54");
  }
  return leaf("54", checkLength("54", khqrAmountString(amountMinor, currency)));
}

function timestamps(input: KhqrInput, dynamic: boolean): SubField[] {
  const { expiresAt } = input;
  if (dynamic && expiresAt === undefined) {
    throw new KhqrError("EXPIRY_REQUIRED", "a QR with an amount needs expiresAt", "99.01");
  }
  const createdAt = input.createdAt ?? (expiresAt === undefined ? undefined : Date.now());
  if (createdAt !== undefined && expiresAt !== undefined && expiresAt < createdAt) {
    throw new KhqrError("INVALID_TIMESTAMP", "expiresAt is before createdAt", "99.01");
  }
  return [["00", epochMs("99.00", createdAt)], ["01", epochMs("99.01", expiresAt)]];
}

function epochMs(tag: string, ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (!Number.isInteger(ms) || ms < 1e12 || ms >= 1e13) {
    throw new KhqrError("INVALID_TIMESTAMP", `timestamp must be 13-digit epoch milliseconds, got ${ms}`, tag);
  }
  return String(ms);
}

type SubField = readonly [sub: string, value: string | undefined];

/** Like NBC's SDK, an empty optional value counts as absent. */
function subRecords(tag: string, fields: readonly SubField[]): KhqrRecord {
  const children = fields
    .filter((field): field is readonly [string, string] => field[1] !== undefined && field[1] !== "")
    .map(([sub, value]) => leaf(sub, checkLength(`${tag}.${sub}`, value)));
  return template(tag, children);
}

function pushTemplate(records: KhqrRecord[], tag: string, fields: readonly SubField[]): void {
  const record = subRecords(tag, fields);
  if (record.children?.length) records.push(record);
}

function required(tag: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new KhqrError("MISSING_FIELD", "value required", tag);
  return checkLength(tag, value);
}

function checkLength(tag: string, value: string): string {
  const max = MAX_LENGTH[tag];
  if (max !== undefined && value.length > max) {
    throw new KhqrError("INVALID_LENGTH", `longer than ${max} characters`, tag);
  }
  return value;
}
