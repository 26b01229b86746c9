import { describe, expect, it } from "vitest";
import { crc16, encodeRecords, validateKhqr, type KhqrRecord } from "../../src/khqr/index.js";
import { vector } from "./vectors.js";

const NOW = 1_800_000_000_000;

/** A dynamic USD 5.00 QR valid at NOW, as records without the CRC. */
const BASE: KhqrRecord[] = [
  { tag: "00", value: "01" },
  { tag: "01", value: "12" },
  { tag: "29", value: "", children: [{ tag: "00", value: "topup@aclb" }] },
  { tag: "52", value: "5999" },
  { tag: "53", value: "840" },
  { tag: "54", value: "5" },
  { tag: "58", value: "KH" },
  { tag: "59", value: "Top Up Shop" },
  { tag: "60", value: "Phnom Penh" },
  { tag: "99", value: "", children: [{ tag: "00", value: String(NOW) }, { tag: "01", value: String(NOW + 600_000) }] },
];

function withCrc(records: readonly KhqrRecord[]): string {
  const body = `${encodeRecords(records)}6304`;
  return body + crc16(body);
}

function replace(tag: string, value: string | KhqrRecord[] | null, records = BASE): KhqrRecord[] {
  const out = records.filter((r) => r.tag !== tag || value !== null);
  return out.map((r) => (r.tag !== tag || value === null ? r : typeof value === "string" ? { tag, value } : { tag, value: "", children: value }));
}

function codeOf(qr: string): string {
  const result = validateKhqr(qr, { now: () => NOW });
  return result.ok ? "ok" : `${result.error.code} ${result.error.tag ?? ""}`.trim();
}

describe("validateKhqr", () => {
  it("accepts the base string", () => expect(codeOf(withCrc(BASE))).toBe("ok"));

  const cases: [string, KhqrRecord[] | string, string][] = [
    ["a changed CRC digit", withCrc(BASE).slice(0, -1) + "0", "CRC_MISMATCH 63"],
    ["no CRC", encodeRecords(BASE), "CRC_MISSING 63"],
    ["CRC not last", `${withCrc(BASE)}0100`, "CRC_MISSING 63"],
    ["payload format 02", replace("00", "02"), "INVALID_PAYLOAD_FORMAT 00"],
    ["a duplicated tag", [...BASE, { tag: "59", value: "Again" }], "DUPLICATE_TAG 59"],
    ["a duplicated sub-tag", replace("29", [{ tag: "00", value: "a@b" }, { tag: "00", value: "c@d" }]), "DUPLICATE_TAG 29.00"],
    ["a template that is not TLV", [...BASE, { tag: "62", value: "hello" }], "MALFORMED 62"],
    ["no merchant name", replace("59", null), "MISSING_FIELD 59"],
    ["no account", replace("29", null), "MISSING_FIELD 29"],
    ["both account tags", [...BASE, { tag: "30", value: "", children: [{ tag: "00", value: "a@b" }] }], "INVALID_ACCOUNT 30"],
    ["a 26-character name", replace("59", "x".repeat(26)), "INVALID_LENGTH 59"],
    ["an empty city", replace("60", ""), "INVALID_LENGTH 60"],
    ["point of initiation 13", replace("01", "13"), "INVALID_POINT_OF_INITIATION 01"],
    ["an account id without @", replace("29", [{ tag: "00", value: "topup" }]), "INVALID_ACCOUNT 29.00"],
    ["tag 30 without merchant id", replace("29", null).toSpliced(2, 0, { tag: "30", value: "", children: [{ tag: "00", value: "a@abaa" }, { tag: "02", value: "ABA" }] }), "MISSING_FIELD 30.01"],
    ["MCC 599", replace("52", "599"), "INVALID_MCC 52"],
    ["currency 978", replace("53", "978"), "UNSUPPORTED_CURRENCY 53"],
    ["UnionPay with USD", BASE.toSpliced(2, 0, { tag: "15", value: "1234" }), "UNIONPAY_WITH_USD 15"],
    ["country TH", replace("58", "TH"), "INVALID_COUNTRY 58"],
    ["language template without name", [...BASE, { tag: "64", value: "", children: [{ tag: "00", value: "km" }] }], "MISSING_FIELD 64.01"],
    ["USD with 3 decimals", replace("54", "1.234"), "INVALID_AMOUNT 54"],
    ["KHR with decimals", replace("53", "116", replace("54", "100.5")), "INVALID_AMOUNT 54"],
    ["amount zero", replace("54", "0"), "INVALID_AMOUNT 54"],
    ["a negative amount", replace("54", "-5"), "INVALID_AMOUNT 54"],
    ["dynamic without amount", replace("54", null), "INVALID_AMOUNT 54"],
    ["a 12-digit expiry", replace("99", [{ tag: "01", value: "180000000000" }]), "INVALID_TIMESTAMP 99.01"],
    ["expiry before creation", replace("99", [{ tag: "00", value: String(NOW) }, { tag: "01", value: String(NOW - 1) }]), "INVALID_TIMESTAMP 99.01"],
    ["an amount without expiry", replace("99", null), "EXPIRY_REQUIRED 99.01"],
    ["an amount on a static QR without expiry", replace("01", "11", replace("99", null)), "EXPIRY_REQUIRED 99.01"],
    ["an expiry one ms before now", replace("99", [{ tag: "01", value: String(NOW - 1) }]), "EXPIRED 99.01"],
  ];

  it.each(cases)("rejects %s", (_, input, expected) => {
    expect(codeOf(typeof input === "string" ? input : withCrc(input))).toBe(expected);
  });

  it("accepts a static QR without timestamps, a lower-case CRC and unknown tags", () => {
    expect(codeOf(withCrc(replace("01", "11", replace("54", null, replace("99", null)))))).toBe("ok");
    const acleda = vector("real ACLEDA");
    expect(codeOf(acleda.slice(0, -4) + acleda.slice(-4).toLowerCase())).toBe("ok");
  });

  it("uses the real clock by default", () => {
    expect(validateKhqr(withCrc(BASE)).ok).toBe(Date.now() <= NOW + 600_000);
  });
});
