import { describe, expect, it } from "vitest";
import { createWorkLoop } from "../../src/jobs/loop.js";
import { silentLog } from "../support/core.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the work loop", () => {
  it("coalesces wake-ups into passes at least minGapMs apart, and runs one more after the last wake", async () => {
    const starts: number[] = [];
    const loop = createWorkLoop(
      "test",
      async () => {
        starts.push(performance.now());
        return false;
      },
      { sweepMs: 60_000, log: silentLog, minGapMs: 50 },
    );
    loop.start();
    const until = performance.now() + 300;
    while (performance.now() < until) {
      loop.wake();
      await sleep(1);
    }
    await sleep(80);
    await loop.stop();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(starts.length).toBeLessThanOrEqual(8);
    // Timers may fire a millisecond or two early against performance.now(); without the gap, passes come ~1 ms apart.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(45);
    expect(starts.at(-1)!).toBeGreaterThan(until - 50);
  });

  it("without a gap, each wake-up runs a pass at once", async () => {
    let passes = 0;
    const pass = async () => {
      passes++;
      return false;
    };
    const loop = createWorkLoop("test", pass, { sweepMs: 60_000, log: silentLog });
    loop.start();
    for (let wakes = 1; wakes <= 5; wakes++) {
      while (passes < wakes) await sleep(1);
      loop.wake();
    }
    while (passes < 6) await sleep(1);
    await loop.stop();
    expect(passes).toBe(6);
  });
});
