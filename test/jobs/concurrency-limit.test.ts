import { describe, expect, it } from "vitest";
import { AdaptiveLimit, FixedLimit, createConcurrencyLimit, type CallOutcome, type ConcurrencyLimit } from "../../src/jobs/concurrency-limit.js";

/**
 * What a model panel answers to one call when `n` calls are in flight at it; loopDelayMs: how long our own event
 * loop held the call up (included in latencyMs).
 */
type PanelModel = (n: number, round: number, call: number) => { outcome: CallOutcome; latencyMs: number; loopDelayMs?: number };

/**
 * A closed loop in rounds (one round ≈ one round trip): every free slot starts a call, then all of them
 * finish with what the model says. Returns the limit after each round.
 */
function drive(limit: ConcurrencyLimit, rounds: number, panel: PanelModel, opts: { work?: number } = {}): number[] {
  const history: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const starting = Math.min(limit.available, opts.work ?? Infinity);
    const permits = Array.from({ length: starting }, () => limit.acquire());
    const n = limit.inFlight;
    permits.forEach((permit, call) => {
      const answer = panel(n, round, call);
      limit.release(permit, answer.outcome, answer.latencyMs, answer.loopDelayMs);
    });
    history.push(limit.limit);
  }
  return history;
}

const healthy = (latencyMs: number): PanelModel => () => ({ outcome: "answered", latencyMs });
/** A panel with `workers` workers serving in `serviceMs`: beyond them, calls queue and take proportionally longer. */
const queueing = (workers: number, serviceMs: number): PanelModel => (n) => ({ outcome: "answered", latencyMs: serviceMs * Math.max(1, n / workers) });
const tail = (history: number[], count: number) => history.slice(-count);

describe("AdaptiveLimit", () => {
  it("grows to its maximum against a slow but healthy panel, and stays there", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    expect(limit.limit).toBe(4);
    const history = drive(limit, 40, healthy(150));
    expect(Math.max(...history)).toBe(64);
    expect(tail(history, 10)).toEqual(Array(10).fill(64));
    // Slow start doubles: 4 → 64 in a handful of windows (a window is two round trips: the calls started before a change do not count).
    expect(history.indexOf(64)).toBeLessThanOrEqual(12);
  });

  it("does not grow while the work, not the limit, bounds the calls", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    const history = drive(limit, 50, healthy(150), { work: 2 });
    expect(new Set(history)).toEqual(new Set([4]));
  });

  it("settles near a panel's capacity when calls beyond it queue (latency rises), without ramming the maximum", () => {
    const limit = new AdaptiveLimit({ max: 200 });
    const history = drive(limit, 400, queueing(20, 150));
    const settled = tail(history, 200);
    expect(Math.max(...settled)).toBeLessThanOrEqual(40);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(10);
    expect(settled.reduce((a, b) => a + b, 0) / settled.length).toBeGreaterThanOrEqual(16);
  });

  it("backs off when latency rises with no error, and comes back once the panel is fast again", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    drive(limit, 40, healthy(150));
    expect(limit.limit).toBe(64);
    const slow = drive(limit, 6, healthy(600));
    expect(Math.min(...slow)).toBeLessThanOrEqual(32);
    const recovered = drive(limit, 60, healthy(150));
    expect(recovered.at(-1)).toBe(64);
  });

  it("takes a panel that got slower for good as its new baseline after baselineWindows windows", () => {
    const limit = new AdaptiveLimit({ max: 64, baselineWindows: 10 });
    drive(limit, 40, healthy(150));
    const history = drive(limit, 200, healthy(400));
    expect(Math.min(...history)).toBeLessThan(64);
    expect(history.at(-1)).toBe(64);
  });

  it("reads a fast panel's jitter as no load (slack), however large the ratio", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    const history = drive(limit, 60, (_n, round, call) => ({ outcome: "answered", latencyMs: 0.5 + ((round * 7 + call * 13) % 20) }));
    expect(history.at(-1)).toBe(64);
  });

  describe("our own event loop's delay", () => {
    /** A 150 ms panel whose answers our busy loop picks up 100–700 ms late, varying from call to call. */
    const stalledLoop: PanelModel = (_n, round, call) => {
      const loopDelayMs = 100 + ((round * 31 + call * 17) % 7) * 100;
      return { outcome: "answered", latencyMs: 150 + loopDelayMs, loopDelayMs };
    };

    it("event loop stalled but panel fast: the limit does not collapse, and still grows to its maximum", () => {
      const limit = new AdaptiveLimit({ max: 64 });
      drive(limit, 40, healthy(150));
      expect(limit.limit).toBe(64);
      const stalled = drive(limit, 100, stalledLoop);
      expect(Math.min(...stalled)).toBe(64);

      const fresh = new AdaptiveLimit({ max: 64 });
      drive(fresh, 2, healthy(150));
      expect(tail(drive(fresh, 60, stalledLoop), 10)).toEqual(Array(10).fill(64));
    });

    it("the same latencies without the loop's delay are read as panel load and back off", () => {
      const limit = new AdaptiveLimit({ max: 64 });
      drive(limit, 40, healthy(150));
      const blamed = drive(limit, 100, (n, round, call) => ({ ...stalledLoop(n, round, call), loopDelayMs: 0 }));
      expect(Math.min(...blamed)).toBeLessThanOrEqual(16);
    });

    it("panel slows while our loop stalls: backs off on the panel's share", () => {
      const limit = new AdaptiveLimit({ max: 64 });
      drive(limit, 40, healthy(150));
      const slow = drive(limit, 10, () => ({ outcome: "answered", latencyMs: 600 + 200, loopDelayMs: 200 }));
      expect(Math.min(...slow)).toBeLessThanOrEqual(32);
    });

    it("a loop delay larger than the answer's wait does not drag the baseline below the panel's latency", () => {
      const limit = new AdaptiveLimit({ max: 64 });
      drive(limit, 40, healthy(150));
      drive(limit, 60, () => ({ outcome: "answered", latencyMs: 180, loopDelayMs: 170 }));
      expect(limit.baselineMs).toBe(150);
      const quiet = drive(limit, 40, healthy(150));
      expect(Math.min(...quiet)).toBe(64);
    });

    it("still backs off on overload answers however late our loop picked them up", () => {
      const limit = new AdaptiveLimit({ max: 64, initial: 40 });
      const permit = limit.acquire();
      limit.release(permit, "overloaded", 900, 900);
      expect(limit.limit).toBe(28);
    });
  });

  it("halves (by backoff) once per window on overload answers: calls started before the decrease do not count again", () => {
    const limit = new AdaptiveLimit({ max: 64, initial: 40 });
    const permits = Array.from({ length: 40 }, () => limit.acquire());
    for (const p of permits) limit.release(p, "overloaded", 5);
    expect(limit.limit).toBe(28);
    expect(limit.inFlight).toBe(0);
  });

  it("falls to 1 and stays there while the panel answers only 429/503, then grows again once it answers", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    drive(limit, 40, healthy(150));
    const refused = drive(limit, 30, () => ({ outcome: "overloaded", latencyMs: 3 }));
    expect(refused.at(-1)).toBe(1);
    expect(Math.min(...refused)).toBe(1);
    const back = drive(limit, 80, healthy(150));
    expect(back.at(-1)).toBe(64);
  });

  it("keeps well below a panel that rate-limits beyond 24 calls in flight", () => {
    const limit = new AdaptiveLimit({ max: 128 });
    const history = drive(limit, 300, (n, _round, call) => ({ outcome: call >= 24 ? "overloaded" : "answered", latencyMs: 150 }));
    const settled = tail(history, 150);
    expect(Math.max(...settled)).toBeLessThanOrEqual(48);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(8);
  });

  it("ignores calls that say nothing about load", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    const history = drive(limit, 30, () => ({ outcome: "ignored", latencyMs: 10_000 }));
    expect(new Set(history)).toEqual(new Set([4]));
  });

  it("never leaves [1, max] and stays a whole number, whatever the answers", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const max of [1, 2, 7, 64]) {
      const limit = new AdaptiveLimit({ max, initial: max });
      const outcomes: CallOutcome[] = ["answered", "answered", "answered", "overloaded", "ignored"];
      const history = drive(limit, 500, () => ({ outcome: outcomes[Math.floor(random() * outcomes.length)]!, latencyMs: random() * 2_000 }));
      for (const value of history) {
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(1);
        expect(value).toBeLessThanOrEqual(max);
      }
      expect(limit.inFlight).toBe(0);
    }
  });

  it("refuses a maximum below 1", () => {
    expect(() => new AdaptiveLimit({ max: 0 })).toThrow(RangeError);
  });
});

describe("FixedLimit and createConcurrencyLimit", () => {
  it("a number is a fixed limit: it never changes, whatever the panel answers", () => {
    const limit = createConcurrencyLimit(16);
    expect(limit).toBeInstanceOf(FixedLimit);
    const history = drive(limit, 20, () => ({ outcome: "overloaded", latencyMs: 5_000 }));
    expect(new Set(history)).toEqual(new Set([16]));
  });

  it("counts what is in flight against the limit", () => {
    const limit: ConcurrencyLimit = new FixedLimit(3);
    const a = limit.acquire();
    limit.acquire();
    expect(limit.available).toBe(1);
    limit.acquire();
    limit.acquire();
    expect(limit.available).toBe(0);
    limit.release(a, "answered", 1);
    expect(limit.inFlight).toBe(3);
  });

  it("adaptiveMax makes an adaptive limit bounded by it", () => {
    const limit = createConcurrencyLimit({ adaptiveMax: 8 });
    expect(limit).toBeInstanceOf(AdaptiveLimit);
    expect(Math.max(...drive(limit, 30, healthy(150)))).toBe(8);
  });
});
