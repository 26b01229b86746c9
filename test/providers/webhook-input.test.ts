import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalString, minorFromDecimal } from "../../src/money/money.js";
import { amountTexts, digitsText, firstMatching } from "../../src/payments/providers/webhook-input.js";

/** The format checks that run before a provider's hash may count (issue 11, unseparated hashes). */
describe("amountTexts", () => {
  it("a plain decimal string counts only as sent", () => {
    expect(amountTexts("12.50")).toEqual(["12.50"]);
    expect(amountTexts("12.5")).toEqual(["12.5"]);
    expect(amountTexts("40000")).toEqual(["40000"]);
    expect(amountTexts("0.01")).toEqual(["0.01"]);
  });

  it.each(["012.50", "1.255", "1e3", "1,000", "-1.00", "+1", " 1.00", "1.00 ", "1.", ".5", "", "0x10", "١٢"])("refuses the string %j", (text) => {
    expect(amountTexts(text)).toBeUndefined();
  });

  it.each([[12.5, ["12.50", "12.5"]], [5, ["5.00", "5"]], [0.01, ["0.01"]], [100.1, ["100.10", "100.1"]]] as const)("a JSON number %d may have been hashed as %j", (n, texts) => {
    expect(amountTexts(n)).toEqual(texts);
  });

  it.each([[1.255], [0.1 + 0.2], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], [1e21], [1e-7]])("refuses the number %d", (n) => {
    expect(amountTexts(n)).toBeUndefined();
  });

  it.each([[null], [true], [{}], [[1]], [undefined]])("refuses %j", (value) => {
    expect(amountTexts(value)).toBeUndefined();
  });

  it("any cent amount, as the number a provider's JSON encoder writes, reads back as exactly that many cents", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (cents) => {
        const texts = amountTexts(Number(decimalString(cents, "USD")));
        expect(texts).toBeDefined();
        expect(texts).toContain(decimalString(cents, "USD"));
        for (const text of texts!) expect(minorFromDecimal(text, "USD")).toBe(cents);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("digitsText", () => {
  const fourteen = (t: string) => t.length === 14;
  it("takes digits as a string or a safe integer", () => {
    expect(digitsText("26120300000001", fourteen)).toBe("26120300000001");
    expect(digitsText(26120300000001, fourteen)).toBe("26120300000001");
  });
  it.each([["2612030000000"], ["261203000000012"], ["2612030000000a"], [" 26120300000001"], [2612030000000.5], [-26120300000001], [null]])("refuses %j", (value) => {
    expect(digitsText(value, fourteen)).toBeUndefined();
  });
});

describe("firstMatching", () => {
  it("returns the candidate whose hash matches, after comparing every one", () => {
    const seen: string[] = [];
    const expected = (c: string) => {
      seen.push(c);
      return `h(${c})`;
    };
    expect(firstMatching(["12.50", "12.5"], "h(12.50)", expected)).toBe("12.50");
    expect(seen).toEqual(["12.50", "12.5"]);
    expect(firstMatching(["12.50", "12.5"], "h(12.5)", expected)).toBe("12.5");
    expect(firstMatching(["12.50", "12.5"], "h(12)", expected)).toBeUndefined();
  });
});
