import { describe, expect, it } from "vitest";
import { LoopDelayClock } from "../../src/jobs/loop-delay.js";

const RESOLUTION_MS = 10;

/** Holds this thread's event loop for `ms`, as a long synchronous statement would; returns how long it held. */
function block(ms: number): number {
  const start = performance.now();
  while (performance.now() - start < ms) {
    // busy
  }
  return performance.now() - start;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LoopDelayClock", () => {
  it("counts a stall in progress when a measurement ends inside it", () => {
    const clock = new LoopDelayClock(RESOLUTION_MS);
    const mark = clock.begin();
    const held = block(60);
    const delay = clock.end(mark);
    // The timer came due at most one resolution after begin(); every millisecond after that (less the timer slack) is delay.
    expect(delay).toBeGreaterThanOrEqual(held - RESOLUTION_MS - 1);
  });

  it("counts stalls that ended before the measurement did, and never more than the time the measurement spans", async () => {
    const clock = new LoopDelayClock(RESOLUTION_MS);
    const started = performance.now();
    const mark = clock.begin();
    await sleep(RESOLUTION_MS * 2);
    const held = block(40);
    await sleep(RESOLUTION_MS * 3);
    const delay = clock.end(mark);
    expect(delay).toBeGreaterThanOrEqual(held - RESOLUTION_MS - 1);
    expect(delay).toBeLessThanOrEqual(performance.now() - started);
  });

  it("measures overlapping calls each over its own stretch", () => {
    let now = 0;
    const clock = new LoopDelayClock(RESOLUTION_MS, () => now);
    const first = clock.begin();
    now = 50;
    const second = clock.begin();
    now = 80;
    expect(clock.end(first)).toBe(80 - RESOLUTION_MS - 1);
    expect(clock.end(second)).toBe(30);
  });

  it("reads no delay on a stretch with no stall, and none once every measurement ended", () => {
    let now = 0;
    const clock = new LoopDelayClock(RESOLUTION_MS, () => now);
    const mark = clock.begin();
    now = RESOLUTION_MS / 2;
    expect(clock.end(mark)).toBe(0);
    now = 10_000;
    const later = clock.begin();
    expect(clock.end(later)).toBe(0);
  });
});
