import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeKhqr, encodeRecords, khqrMd5, validateKhqr } from "../../src/khqr/index.js";
import { VECTORS, vector } from "./vectors.js";

function decoded(qr: string) {
  const result = decodeKhqr(qr);
  if (!result.ok) throw result.error;
  return result.value;
}

describe.each(VECTORS)("$name", ({ qr, validates }) => {
  it("decodes and re-encodes byte for byte", () => {
    expect(encodeRecords(decoded(qr).records)).toBe(qr);
  });

  it(`validates with the real clock as ${validates}`, () => {
    const result = validateKhqr(qr);
    expect(result.ok ? "ok" : result.error.code).toBe(validates);
  });
});

describe.each(VECTORS.filter((v) => v.validates === "EXPIRED"))("expired $name", ({ qr }) => {
  it("passes with a clock at its expiry and fails one ms later", () => {
    const { expiresAt } = decoded(qr);
    expect(expiresAt).toBeTypeOf("number");
    expect(validateKhqr(qr, { now: () => expiresAt! }).ok).toBe(true);
    const late = validateKhqr(qr, { now: () => expiresAt! + 1 });
    expect(late.ok ? "ok" : late.error.code).toBe("EXPIRED");
  });
});

describe("md5", () => {
  it.each(VECTORS.filter((v) => v.md5 !== undefined))("$name", ({ qr, md5 }) => {
    expect(khqrMd5(qr)).toBe(md5);
  });
});

describe("typed fields", () => {
  it("reads the PayWay example", () => {
    const { records, ...fields } = decoded(vector("ABA PayWay"));
    expect(fields).toMatchObject({
      pointOfInitiation: "dynamic",
      account: {
        kind: "payway",
        bakongAccountId: "abaakhppxxx@abaa",
        merchantId: "125021214532846",
        acquiringBank: "ABA Bank",
        paywayData: "0010PAYWAY@ABA0208104514230604A227",
      },
      mcc: "5987",
      currency: "KHR",
      amountMinor: 100,
      merchantName: "OLD ME 25 CHAR WINNER IP2",
      merchantCity: "Phnom Penh",
      billNumber: "MC-REF-KH-15000",
      paywayData: "0010PAYWAY@ABA0208104514230604A227",
      createdAt: 1759805345337,
      expiresAt: 1759805525337,
      crc: "9FBD",
    });
    expect(records.map((r) => r.tag)).toEqual(["00", "01", "30", "52", "53", "54", "58", "59", "60", "62", "99", "63"]);
  });

  it("reads every additional-data and language field (Ishin Vin)", () => {
    expect(decoded(vector("dynamic KHR, every"))).toMatchObject({
      account: { kind: "individual", bakongAccountId: "ishinvin@devb", accountInformation: "012345678", acquiringBank: "Dev Bank" },
      amountMinor: 10000,
      billNumber: "INV-2022-12-25",
      mobileNumber: "85512345678",
      storeLabel: "Ishin Shop",
      terminalLabel: "012345",
      purpose: "Payment",
      altLanguage: { languageCode: "ZH", merchantName: "文山", merchantCity: "金边" },
    });
  });

  it('reads a USD amount (54 = "100") as cents and keeps the unknown tag 61 in place', () => {
    expect(decoded(vector("dynamic USD")).amountMinor).toBe(10_000);
    const acleda = decoded(vector("real ACLEDA"));
    expect(acleda.records.map((r) => r.tag)).toEqual(["00", "01", "30", "52", "53", "58", "59", "60", "61", "62", "64", "63"]);
    expect(acleda.records[8]).toEqual({ tag: "61", value: "12" });
    expect(acleda.account).toEqual({ kind: "merchant", bakongAccountId: "khqr@aclb", merchantId: "85512464917", acquiringBank: "ACLEDA Bank Plc" });
  });

  it("reads a static QR's creation timestamp without an expiry (KESS)", () => {
    const kess = decoded(vector("KESS generateKhqr"));
    expect(kess).toMatchObject({ pointOfInitiation: "static", createdAt: 1738910956926, mobileNumber: "015703635" });
    expect(kess.expiresAt).toBeUndefined();
    expect(kess.amountMinor).toBeUndefined();
  });
});

describe("seed strings are quoted from the seeds", () => {
  const seeds = new URL("../../../shared/seeds/", import.meta.url);
  const files = ["002_0b22c5fa7b52719e.txt", "003_6d42683fdfbeb93e.txt"].map((name) => new URL(name, seeds));
  it.skipIf(!files.every((file) => existsSync(file)))("finds each seed vector verbatim", () => {
    const text = files.map((file) => readFileSync(file, "utf8")).join("\n");
    for (const name of ["ABA PayWay", "KESS generateKhqr", "KESS nativePay"]) expect(text).toContain(vector(name));
  });
});
