import { describe, expect, it } from "vitest";
import { encodeKhqr, KhqrError, khqrAmountString, validateKhqr, type KhqrInput } from "../../src/khqr/index.js";
import { vector } from "./vectors.js";

describe("encodeKhqr rebuilds the documented strings from their fields", () => {
  it("individual, tag 29, static USD", () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "merchant@nbcq" },
      merchantName: "Lucky Supermarket",
      merchantCity: "Phnom Penh",
      currency: "USD",
    });
    expect(qr).toBe(vector("individual static USD"));
  });

  it("individual with account information, bank and a creation timestamp only (KESS)", () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "khqr@kess", accountInformation: "000024924", acquiringBank: "Kess Innovation Plc" },
      merchantName: "Bunna Roth",
      merchantCity: "Phnom Penh",
      currency: "USD",
      mobileNumber: "015703635",
      createdAt: 1738910956926,
    });
    expect(qr).toBe(vector("KESS generateKhqr"));
  });

  it("merchant, tag 30, static KHR with a mobile number (jonhsmith)", () => {
    const qr = encodeKhqr({
      account: { kind: "merchant", bakongAccountId: "jonhsmith@nbcq", merchantId: "123456", acquiringBank: "Dev Bank" },
      merchantName: "Jonh Smith",
      merchantCity: "Siem Reap",
      currency: "KHR",
      mobileNumber: "85512345678",
    });
    expect(qr).toBe(vector("merchant static KHR"));
  });

  it("individual, dynamic KHR 500 (jonhsmith)", () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "jonhsmith@nbcq" },
      merchantName: "Jonh Smith",
      merchantCity: "PHNOM PENH",
      currency: "KHR",
      amountMinor: 500,
      createdAt: 1742250594187,
      expiresAt: 1742250654184,
    });
    expect(qr).toBe(vector("dynamic KHR 500"));
  });

  it("individual, dynamic KHR with every additional field and a Chinese alternate name", () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "ishinvin@devb", accountInformation: "012345678", acquiringBank: "Dev Bank" },
      merchantName: "Ishin Vin",
      merchantCity: "Phnom Penh",
      currency: "KHR",
      amountMinor: 10_000,
      billNumber: "INV-2022-12-25",
      mobileNumber: "85512345678",
      storeLabel: "Ishin Shop",
      terminalLabel: "012345",
      purpose: "Payment",
      altLanguage: { languageCode: "ZH", merchantName: "文山", merchantCity: "金边" },
      createdAt: 1755076232336,
      expiresAt: 1755076292336,
    });
    expect(qr).toBe(vector("dynamic KHR, every"));
  });

  it("individual, dynamic USD 100.00 with a Khmer alternate name", () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "john_smith@devb", accountInformation: "85512233455", acquiringBank: "Dev Bank" },
      merchantName: "John Smith",
      merchantCity: "PHNOM PENH",
      currency: "USD",
      amountMinor: 10_000,
      billNumber: "#12345",
      mobileNumber: "85512233455",
      storeLabel: "Coffee Shop",
      terminalLabel: "Cashier_1",
      purpose: "Buy coffee",
      altLanguage: { languageCode: "km", merchantName: "ចន ស្មីន", merchantCity: "ភ្នំពញ" },
      createdAt: 1726821915797,
      expiresAt: 1726822035797,
    });
    expect(qr).toBe(vector("dynamic USD"));
  });

  it("ABA PayWay, tag 30 + 62.68", () => {
    const qr = encodeKhqr({
      account: {
        kind: "payway",
        bakongAccountId: "abaakhppxxx@abaa",
        merchantId: "125021214532846",
        acquiringBank: "ABA Bank",
        paywayData: "0010PAYWAY@ABA0208104514230604A227",
      },
      mcc: "5987",
      merchantName: "OLD ME 25 CHAR WINNER IP2",
      merchantCity: "Phnom Penh",
      currency: "KHR",
      amountMinor: 100,
      billNumber: "MC-REF-KH-15000",
      createdAt: 1759805345337,
      expiresAt: 1759805525337,
    });
    expect(qr).toBe(vector("ABA PayWay"));
  });
});

describe("khqrAmountString", () => {
  it.each([
    [1000, "USD", "10"],
    [1050, "USD", "10.50"],
    [1001, "USD", "10.01"],
    [1, "USD", "0.01"],
    [110, "USD", "1.10"],
    [99_999_999, "USD", "999999.99"],
    [40_000, "KHR", "40000"],
    [100, "KHR", "100"],
  ] as const)("%i %s -> %s", (minor, currency, text) => {
    expect(khqrAmountString(minor, currency)).toBe(text);
  });

  it.each([1.5, -1, Number.NaN, 2 ** 53])("rejects %d", (minor) => {
    expect(() => khqrAmountString(minor, "USD")).toThrow(KhqrError);
  });
});

describe("encodeKhqr rejects invalid input with a typed error", () => {
  const base: KhqrInput = {
    account: { kind: "individual", bakongAccountId: "topup@aclb" },
    merchantName: "Top Up Shop",
    merchantCity: "Phnom Penh",
    currency: "USD",
    amountMinor: 500,
    createdAt: 1_800_000_000_000,
    expiresAt: 1_800_000_600_000,
  };

  it("accepts the base input, which validates before its expiry", () => {
    expect(validateKhqr(encodeKhqr(base), { now: () => base.createdAt! }).ok).toBe(true);
  });

  const cases: [string, Partial<KhqrInput>, string, string?][] = [
    ["26-character name", { merchantName: "x".repeat(26) }, "INVALID_LENGTH", "59"],
    ["empty name", { merchantName: "" }, "MISSING_FIELD", "59"],
    ["16-character city", { merchantCity: "x".repeat(16) }, "INVALID_LENGTH", "60"],
    ["26-character bill number", { billNumber: "x".repeat(26) }, "INVALID_LENGTH", "62.01"],
    ["26-character terminal label", { terminalLabel: "x".repeat(26) }, "INVALID_LENGTH", "62.07"],
    ["additional data over 99 characters", { billNumber: "b".repeat(25), mobileNumber: "1".repeat(25), storeLabel: "s".repeat(25), terminalLabel: "t".repeat(25) }, "INVALID_LENGTH", "62"],
    ["fractional amount", { amountMinor: 10.5 }, "INVALID_AMOUNT", "54"],
    ["zero amount", { amountMinor: 0 }, "INVALID_AMOUNT", "54"],
    ["negative amount", { amountMinor: -100 }, "INVALID_AMOUNT", "54"],
    ["amount over 13 characters", { amountMinor: 1_000_000_000_000_000 }, "INVALID_LENGTH", "54"],
    ["letters in the MCC", { mcc: "1A2B" }, "INVALID_MCC", "52"],
    ["3-digit MCC", { mcc: "599" }, "INVALID_MCC", "52"],
    ["unknown currency", { currency: "EUR" as never }, "UNSUPPORTED_CURRENCY", "53"],
    ["amount without expiry", { expiresAt: undefined }, "EXPIRY_REQUIRED", "99.01"],
    ["expiry before creation", { expiresAt: 1_799_999_999_999 }, "INVALID_TIMESTAMP", "99.01"],
    ["timestamp in seconds", { createdAt: 1_800_000_000, expiresAt: 1_800_000_600 }, "INVALID_TIMESTAMP", "99.00"],
    ["account id without @", { account: { kind: "individual", bakongAccountId: "topup" } }, "INVALID_ACCOUNT", "29.00"],
    ["33-character account id", { account: { kind: "individual", bakongAccountId: `${"a".repeat(28)}@aclb` } }, "INVALID_LENGTH", "29.00"],
    ["merchant without merchant id", { account: { kind: "merchant", bakongAccountId: "a@abaa", merchantId: "", acquiringBank: "ABA" } }, "MISSING_FIELD", "30.01"],
    ["PayWay without its data", { account: { kind: "payway", bakongAccountId: "a@abaa", merchantId: "1", acquiringBank: "ABA", paywayData: "" } }, "MISSING_FIELD", "62.68"],
    ["3-letter language code", { altLanguage: { languageCode: "khm", merchantName: "ហាង" } }, "INVALID_LENGTH", "64.00"],
  ];

  it.each(cases)("%s", (_, change, code, tag) => {
    let thrown: unknown;
    try {
      encodeKhqr({ ...base, ...change });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KhqrError);
    expect(thrown).toMatchObject({ code, tag });
  });

  it("counts lengths as String.length, so 25 Khmer code units fit and 26 do not", () => {
    const name = "សួស្តី".repeat(5).slice(0, 25);
    expect(name.length).toBe(25);
    expect(() => encodeKhqr({ ...base, merchantName: name })).not.toThrow();
    expect(() => encodeKhqr({ ...base, merchantName: `${name}ក` })).toThrow(KhqrError);
  });

  it("defaults the creation timestamp to now when only an expiry is given", () => {
    const before = Date.now();
    const qr = encodeKhqr({ ...base, createdAt: undefined, expiresAt: before + 600_000 });
    const created = Number(/99340013(\d{13})/.exec(qr)?.[1]);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
  });
});
