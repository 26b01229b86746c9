import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, retryAfterMs } from "../../src/http/retry-after.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("retryAfterMs: the one Retry-After rule", () => {
  it("reads delta-seconds, with or without surrounding spaces", () => {
    expect(retryAfterMs("0", NOW)).toBe(0);
    expect(retryAfterMs("7", NOW)).toBe(7_000);
    expect(retryAfterMs(" 120 ", NOW)).toBe(120_000);
  });

  it("reads the three HTTP date forms as GMT, counted from now", () => {
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", NOW)).toBe(30_000);
    expect(retryAfterMs("Thursday, 01-Jan-26 00:01:00 GMT", NOW)).toBe(60_000);
    expect(retryAfterMs("Thu Jan  1 00:00:05 2026", NOW)).toBe(5_000);
  });

  it("a date already past means now", () => {
    expect(retryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", NOW)).toBe(0);
  });

  it("takes the first of a repeated header, and a number as Telegram's seconds", () => {
    expect(retryAfterMs(["3", "9"], NOW)).toBe(3_000);
    expect(retryAfterMs(2, NOW)).toBe(2_000);
    expect(retryAfterMs(1.5, NOW)).toBe(1_500);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["blank", "   "],
    ["a word", "soon"],
    ["negative seconds", "-5"],
    ["fractional seconds (not HTTP)", "1.5"],
    ["hexadecimal", "0x10"],
    ["exponent", "1e3"],
    ["a date without its zone", "Thu, 01 Jan 2026 00:00:30"],
    ["nonsense ending in GMT", "tomorrow GMT"],
    ["an empty header list", []],
    ["a negative number", -1],
    ["not a number", Number.NaN],
    ["an infinite number", Number.POSITIVE_INFINITY],
  ])("%s → undefined", (_name, value) => {
    expect(retryAfterMs(value as string | number | string[] | undefined, NOW)).toBeUndefined();
  });

  it.each([
    ["a day in seconds", "86400"],
    ["more digits than a double holds exactly", "9".repeat(30)],
    ["more digits than a double holds at all", "9".repeat(400)],
    ["a date in year 9999", "Fri, 31 Dec 9999 23:59:59 GMT"],
    ["an absurd number", Number.MAX_VALUE],
  ])("%s → clamped to the maximum", (_name, value) => {
    expect(retryAfterMs(value, NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("a value just under the maximum is kept", () => {
    expect(retryAfterMs(String(MAX_RETRY_AFTER_MS / 1000 - 1), NOW)).toBe(MAX_RETRY_AFTER_MS - 1000);
  });
});
