import { describe, expect, it } from "vitest";
import { decimalString, formatMoney, khrToUsdCents, minorFromDecimal, parseAmount } from "../../src/money/money.js";

describe("parseAmount", () => {
  it.each([
    ["10", "USD", 1000], ["10.5", "USD", 1050], ["10.50", "USD", 1050], ["0.01", "USD", 1], [" 7 ", "USD", 700],
    ["40000", "KHR", 40000], ["40,000", "KHR", 40000], ["1,250.50", "USD", 125050], ["១០", "USD", 1000], ["100.0", "KHR", 100],
  ] as const)("%s %s → %i", (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ["10.555", "USD", "decimals"], ["100.5", "KHR", "decimals"], ["-1", "USD", "negative"], ["1e3", "USD", "format"],
    ["", "USD", "empty"], ["   ", "USD", "empty"], ["abc", "USD", "format"], ["10,5", "USD", "format"], ["1.2.3", "USD", "format"],
    ["0x10", "USD", "format"], ["99999999999999", "USD", "too_large"],
  ] as const)("rejects %j (%s) as %s", (text, currency, error) => {
    expect(parseAmount(text, currency)).toEqual({ ok: false, error });
  });
});

describe("formatting", () => {
  it("for people, the Cambodian way", () => {
    expect(formatMoney(1000, "USD")).toBe("10.00 USD");
    expect(formatMoney(125050, "USD")).toBe("1,250.50 USD");
    expect(formatMoney(5, "USD")).toBe("0.05 USD");
    expect(formatMoney(40000, "KHR")).toBe("40,000 KHR");
    expect(formatMoney(100, "KHR")).toBe("100 KHR");
  });

  it("for the wire: exactly the string that is sent and hashed", () => {
    expect(decimalString(500, "USD")).toBe("5.00");
    expect(decimalString(1250, "USD")).toBe("12.50");
    expect(decimalString(1, "USD")).toBe("0.01");
    expect(decimalString(40000, "KHR")).toBe("40000");
    expect(() => decimalString(1.5, "USD")).toThrow(RangeError);
    expect(() => decimalString(-1, "USD")).toThrow(RangeError);
  });

  it("reads providers' amounts exactly or not at all", () => {
    expect(minorFromDecimal("10.00", "USD")).toBe(1000);
    expect(minorFromDecimal(0.1 + 0.2, "USD")).toBe(30); // binary noise past 6 places is not money
    expect(minorFromDecimal(10.005, "USD")).toBeNull();
    expect(minorFromDecimal(1.1, "USD")).toBe(110);
    expect(minorFromDecimal(100, "KHR")).toBe(100);
    expect(minorFromDecimal(100.5, "KHR")).toBeNull();
    expect(minorFromDecimal("-1", "USD")).toBeNull();
    expect(minorFromDecimal("1e3", "USD")).toBeNull();
  });

  it("converts riel to cents rounding down", () => {
    expect(khrToUsdCents(41000, 4100)).toBe(1000);
    expect(khrToUsdCents(40999, 4100)).toBe(999);
    expect(khrToUsdCents(100, 4100)).toBe(2);
  });
});
