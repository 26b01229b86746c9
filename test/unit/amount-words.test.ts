import { describe, expect, it } from "vitest";
import { isAmountLike, readAmountAndReason } from "../../src/admin/amount-words.js";

describe("an admin's [amount] [reason…]", () => {
  it("a word that starts like an amount is one: digit, sign, currency symbol, or a dot before a digit", () => {
    // A lone sign is refused too: better to ask again than to guess.
    for (const word of ["10", "-5", "+5", "−5", "-", "10,5", "12.345", "$10", "€5", "1e3", ".5", "៛100", "១០"]) expect(isAmountLike(word), word).toBe(true);
    for (const word of ["customer", "asked", "x10", "...", ".", "—", "refund"]) expect(isAmountLike(word), word).toBe(false);
  });

  it("reads an amount, or takes every word as the reason when the first is not amount-like", () => {
    expect(readAmountAndReason(["4", "customer", "asked"], "USD")).toEqual({ ok: true, amountMinor: 400, reason: ["customer", "asked"] });
    expect(readAmountAndReason(["40,000"], "KHR")).toEqual({ ok: true, amountMinor: 40_000, reason: [] });
    expect(readAmountAndReason(["customer", "asked"], "USD")).toEqual({ ok: true, reason: ["customer", "asked"] });
    expect(readAmountAndReason([], "USD")).toEqual({ ok: true, reason: [] });
  });

  it("refuses an amount-like word that is not a positive amount, never reading it as the reason", () => {
    for (const word of ["-5", "10,5", "12.345", "$10", "1e3", ".5", "៛100", "0"]) {
      expect(readAmountAndReason([word, "customer"], "USD"), word).toEqual({ ok: false, text: word });
    }
    expect(readAmountAndReason(["10.5"], "KHR")).toEqual({ ok: false, text: "10.5" });
  });
});
