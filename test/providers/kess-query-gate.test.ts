import { describe, expect, it } from "vitest";
import { createQueryGate } from "../../src/payments/providers/kess-query-gate.js";

describe("the per-order query gate", () => {
  it("remembers at most maxKeys orders, forgetting the least recently used", async () => {
    const gate = createQueryGate<number>({ minIntervalMs: 0, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) await gate.run(`ref-${i}`, async () => i);
    expect(gate.size).toBe(100);
  });

  it("shares one trailing call among everyone who asks while a call is in flight", async () => {
    let clock = 0;
    const gate = createQueryGate<string>({ minIntervalMs: 0, maxKeys: 10, clock: () => clock });
    const started: string[] = [];
    let release!: () => void;
    const first = gate.run("A", () => {
      started.push("first");
      return new Promise((resolve) => (release = () => resolve("before")));
    });
    const later = Array.from({ length: 50 }, () =>
      gate.run("A", async () => {
        started.push("trailing");
        return "after";
      }),
    );
    clock += 1;
    release();
    expect(await first).toBe("before");
    // Those who asked while "first" was running get an answer from a call started after they asked.
    expect(new Set(await Promise.all(later))).toEqual(new Set(["after"]));
    expect(started).toEqual(["first", "trailing"]);
  });

  it("a failed call is not cached: the next ask calls again", async () => {
    const gate = createQueryGate<string>({ minIntervalMs: 0, maxKeys: 10 });
    await expect(gate.run("A", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await gate.run("A", async () => "up")).toBe("up");
  });
});
