import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { heldWhileUsed } from "../../src/merchants/held-while-used.js";

describe("heldWhileUsed (a platform merchant's bot, let go after idling)", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] }));
  afterEach(() => vi.useRealTimers());

  it("builds on first use, lets go after idleMs unused, and builds anew on the next use", () => {
    let builds = 0;
    const held = heldWhileUsed(() => ({ n: ++builds }), 1_000);
    expect(held.held()).toBe(false);
    const first = held.get();
    vi.advanceTimersByTime(600);
    expect(held.get()).toBe(first);
    vi.advanceTimersByTime(600);
    expect(held.held()).toBe(true);
    vi.advanceTimersByTime(500);
    expect(held.held()).toBe(false);
    expect(held.get()).not.toBe(first);
    expect(builds).toBe(2);
  });

  it("is not let go while a use runs, and idles from when the last use ended", async () => {
    const held = heldWhileUsed(() => ({}), 1_000);
    let finish!: () => void;
    const running = held.use(() => new Promise<void>((resolve) => (finish = resolve)));
    vi.advanceTimersByTime(5_000);
    expect(held.held()).toBe(true);
    finish();
    await running;
    vi.advanceTimersByTime(900);
    expect(held.held()).toBe(true);
    vi.advanceTimersByTime(1_100);
    expect(held.held()).toBe(false);
  });

  it("without idleMs is held for good, and release lets go at once", () => {
    const held = heldWhileUsed(() => ({}), undefined);
    held.get();
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(held.held()).toBe(true);
    held.release();
    expect(held.held()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
