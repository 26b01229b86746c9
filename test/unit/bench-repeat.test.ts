import { describe, expect, it } from "vitest";
import { formatSpread, repeat, spread, spreadOf } from "../../bench/support/repeat.js";

describe("bench figures over several runs", () => {
  it("takes the median of an odd count, the mean of the middle two of an even count, with min and max", () => {
    expect(spreadOf([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: [30, 10, 20] });
    expect(spreadOf([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4 });
    expect(spread([{ rate: 5 }, { rate: 7 }, { rate: 6 }], (r) => r.rate)).toMatchObject({ median: 6, min: 5, max: 7 });
  });

  it("runs a measurement the asked number of times, one after the other", async () => {
    const order: number[] = [];
    const result = await repeat(3, async (run) => {
      order.push(run);
      return [12, 10, 11][run]!;
    });
    expect(order).toEqual([0, 1, 2]);
    expect(result).toMatchObject({ median: 11, min: 10, max: 12 });
  });

  it("formats the median with the range of the runs, or the value alone when there is no spread", () => {
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    expect(formatSpread(spreadOf([3, 1, 2]), ms)).toBe("2.0 ms (1.0 ms–3.0 ms)");
    expect(formatSpread(spreadOf([4, 4, 4]), ms)).toBe("4.0 ms");
    expect(formatSpread(spreadOf([5]), ms)).toBe("5.0 ms");
  });
});
