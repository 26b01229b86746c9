import { describe, expect, it } from "vitest";
import { bonusLine } from "../../src/bot/bonus-line.js";
import { translator } from "../../src/bot/i18n.js";
import { bonusFor, parseBonusTiers, type BonusTiers } from "../../src/money/bonus.js";

function tiers(text: string, currency: "USD" | "KHR" = "USD"): BonusTiers {
  const parsed = parseBonusTiers(text, currency);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.bonus;
}

describe("deposit bonus", () => {
  const usd = tiers("50:5,100:10");

  it("gives the highest tier reached, rounded down to the minor unit", () => {
    expect(bonusFor(4999, "USD", usd)).toBe(0);
    expect(bonusFor(5000, "USD", usd)).toBe(250);
    expect(bonusFor(9999, "USD", usd)).toBe(499);
    expect(bonusFor(10_000, "USD", usd)).toBe(1000);
    expect(bonusFor(12_345, "USD", usd)).toBe(1234);
  });

  it("gives nothing in another currency, for no tiers, or for a non-amount", () => {
    expect(bonusFor(1_000_000, "KHR", usd)).toBe(0);
    expect(bonusFor(10_000, "USD", { currency: "USD", tiers: [] })).toBe(0);
    expect(bonusFor(0, "USD", usd)).toBe(0);
    expect(bonusFor(-5000, "USD", usd)).toBe(0);
    expect(bonusFor(50.5, "USD", usd)).toBe(0);
  });

  it("stays exact for riel amounts where the product passes 2^53", () => {
    const khr = tiers("200000:2.5", "KHR");
    expect(bonusFor(3_000_000_000_000, "KHR", khr)).toBe(75_000_000_000);
    expect(bonusFor(200_039, "KHR", khr)).toBe(5000);
  });

  it("parses percentages with decimals", () => {
    expect(tiers("40000:2.5,400000:7%", "KHR").tiers).toEqual([{ fromMinor: 40_000, basisPoints: 250 }, { fromMinor: 400_000, basisPoints: 700 }]);
    expect(tiers(" 10.50:1 ").tiers).toEqual([{ fromMinor: 1050, basisPoints: 100 }]);
  });

  it("refuses anything it would have to guess", () => {
    const problem = (text: string, currency: "USD" | "KHR" = "USD") => {
      const parsed = parseBonusTiers(text, currency);
      return parsed.ok ? "accepted" : parsed.problem;
    };
    expect(problem("50=5")).toMatch(/not <amount>:<percent>/);
    expect(problem("50:5,")).toMatch(/not <amount>:<percent>/);
    expect(problem("50:0")).toMatch(/above 0 and at most 100/);
    expect(problem("50:101")).toMatch(/above 0 and at most 100/);
    expect(problem("50:5.555")).toMatch(/not <amount>:<percent>/);
    expect(problem("50.5:5", "KHR")).toMatch(/not a positive KHR amount/);
    expect(problem("0:5")).toMatch(/not a positive USD amount/);
    expect(problem("100:10,50:5")).toMatch(/tiers must ascend/);
    expect(problem("50:5,50:6")).toMatch(/tiers must ascend/);
    expect(problem("50:-5")).toMatch(/not <amount>:<percent>/);
    // The comma separates tiers: a thousands separator cannot be told apart.
    expect(problem("40,000:2.5", "KHR")).toMatch(/"40" is not <amount>:<percent>/);
  });
});

describe("the card caption's bonus line", () => {
  it("names the bonus a top-up earns, in the customer's language, and is absent below the first tier", () => {
    const usd = tiers("50:5,100:10");
    expect(bonusLine({ amountMinor: 10_000, currency: "USD" }, translator("en"), usd)).toBe("🎁 Deposit bonus: +10.00 USD, credited after this top-up.");
    expect(bonusLine({ amountMinor: 5000, currency: "USD" }, translator("km"), usd)).toContain("+2.50 USD");
    expect(bonusLine({ amountMinor: 4999, currency: "USD" }, translator("en"), usd)).toBeUndefined();
  });
});
