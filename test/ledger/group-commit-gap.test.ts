import { describe, expect, it } from "vitest";
import { COMMIT_DUTY, commitGapMs, FULL_BATCH_UNITS, MAX_GAP_MS, MIN_GAP_MS } from "../../src/ledger/sqlite-group-commit.js";

describe("commitGapMs: how long after a commit the next may start", () => {
  it("a quick commit keeps the minimum gap (an idle install commits each unit at once, a busy one at most once per ms)", () => {
    expect(commitGapMs(0, 1)).toBe(MIN_GAP_MS);
    expect(commitGapMs(MIN_GAP_MS / COMMIT_DUTY / 2, 1)).toBe(MIN_GAP_MS);
  });

  it("grows with the last commit's duration, so commits take at most 1/(1 + COMMIT_DUTY) of the thread", () => {
    expect(commitGapMs(0.25, 1)).toBe(0.25 * COMMIT_DUTY);
    expect(commitGapMs(0.5, 10)).toBe(0.5 * COMMIT_DUTY);
    expect(commitGapMs(0.5, 10)).toBeGreaterThan(commitGapMs(0.25, 10));
  });

  it("never exceeds MAX_GAP_MS, however slow the disk", () => {
    expect(commitGapMs(MAX_GAP_MS / COMMIT_DUTY, 1)).toBe(MAX_GAP_MS);
    expect(commitGapMs(50, 1)).toBe(MAX_GAP_MS);
    expect(commitGapMs(Number.POSITIVE_INFINITY, FULL_BATCH_UNITS - 1)).toBe(MAX_GAP_MS);
  });

  it("a full batch does not wait", () => {
    expect(commitGapMs(50, FULL_BATCH_UNITS)).toBe(0);
    expect(commitGapMs(0, FULL_BATCH_UNITS + 1)).toBe(0);
  });
});
