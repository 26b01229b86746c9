import { describe, expect, it } from "vitest";
import { createQueryGate } from "../../src/payments/providers/kess/kess-query-gate.js";

describe("the per-order query gate", () => {
  it("remembers at most maxKeys orders, forgetting the least recently used", async () => {
    const gate = createQueryGate<number>({ minIntervalMs: 0, burst: 1, maxKeys: 100, clock: () => 0 });
    for (let i = 0; i < 10_000; i++) await gate.run(`ref-${i}`, async () => i);
    expect(gate.size).toBe(100);
  });

  it("everyone who asks while a call is in flight shares it", async () => {
    const gate = createQueryGate<string>({ minIntervalMs: 0, burst: 1, maxKeys: 10, clock: () => 0 });
    let calls = 0;
    let release!: (v: string) => void;
    const query = () => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const answers = Array.from({ length: 50 }, () => gate.run("A", query));
    release("pending");
    expect(new Set(await Promise.all(answers))).toEqual(new Set(["pending"]));
    expect(calls).toBe(1);
  });

  it("a burst of calls back to back, then one per interval; in between the last answer, failures included", async () => {
    let clock = 1_000;
    const gate = createQueryGate<string>({ minIntervalMs: 500, burst: 2, maxKeys: 10, clock: () => clock });
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error(`down ${calls}`);
    };
    await expect(gate.run("A", fail)).rejects.toThrow("down 1");
    await expect(gate.run("A", fail)).rejects.toThrow("down 2");
    for (let i = 0; i < 100; i++) await expect(gate.run("A", fail)).rejects.toThrow("down 2");
    expect(calls).toBe(2);
    clock += 499;
    await expect(gate.run("A", fail)).rejects.toThrow("down 2");
    clock += 1;
    expect(await gate.run("A", async () => `up ${++calls}`)).toBe("up 3");
    expect(await gate.run("A", async () => `up ${++calls}`)).toBe("up 3");
    expect(await gate.run("B", async () => `other order ${++calls}`)).toBe("other order 4");
  });

  it("a clock that goes back does not freeze an order's answer", async () => {
    let clock = 10_000;
    const gate = createQueryGate<number>({ minIntervalMs: 500, burst: 1, maxKeys: 10, clock: () => clock });
    await gate.run("A", async () => 1);
    clock = 0;
    expect(await gate.run("A", async () => 2)).toBe(2);
  });
});
