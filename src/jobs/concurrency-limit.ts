/**
 * How many calls to one panel may be in flight at once: a fixed number, or one that finds the panel's capacity.
 * One instance per panel; a call takes a permit when it starts and gives it back with what the call showed.
 */

/**
 * answered: the panel answered in its own words (applied or refused), so its latency is a sample of its load.
 * overloaded: 429, 5xx, "try later", a timeout or no answer at all: the panel may be struggling.
 * ignored: says nothing about the panel's load (another kind of call, or a fault of ours).
 */
export type CallOutcome = "answered" | "overloaded" | "ignored";

/** Handed out by acquire(); the limit reads which of its windows the call started in. */
export interface Permit {
  readonly window: number;
}

export interface ConcurrencyLimit {
  /** Calls allowed in flight now: a whole number in [1, max]. */
  readonly limit: number;
  readonly inFlight: number;
  /** Calls that may start now (0 when the limit is reached or was lowered below what is in flight). */
  readonly available: number;
  /** Starts one call; always succeeds, so work already claimed is never dropped (check `available` first). */
  acquire(): Permit;
  /**
   * Ends a call. latencyMs: as measured around it; loopDelayMs: how long our own event loop was held up over the
   * same stretch (src/jobs/loop-delay.ts), which the measured latency includes but says nothing about the panel.
   */
  release(permit: Permit, outcome: CallOutcome, latencyMs: number, loopDelayMs?: number): void;
}

/** CREDIT_CONCURRENCY set: exactly that many, whatever the panel shows. */
export class FixedLimit implements ConcurrencyLimit {
  inFlight = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a whole number ≥ 1, got ${limit}`);
  }

  get available(): number {
    return Math.max(0, this.limit - this.inFlight);
  }

  acquire(): Permit {
    this.inFlight += 1;
    return { window: 0 };
  }

  release(): void {
    this.inFlight -= 1;
  }
}

export interface AdaptiveLimitOptions {
  max: number;
  /** Where it starts (default min(4, max)): low, so a struggling panel is not hit hard on start-up. */
  initial?: number;
  /** A window's median latency this many times the baseline means calls queue at the panel (default 1.5). */
  tolerance?: number;
  /** …and only when it is also this much above the baseline, so a fast panel's jitter is not read as load (default 25 ms). */
  slackMs?: number;
  /** The limit is multiplied by this after an overload answer (default 0.7). */
  backoff?: number;
  /** The baseline is the lowest window median of this many recent windows, so it follows a panel that got slower for good (default 30). */
  baselineWindows?: number;
}

const MIN_WINDOW_SAMPLES = 4;

/**
 * A limit that finds the panel's capacity between 1 and `max` (TCP-like AIMD steered by latency, as Vegas does).
 *
 * Calls are judged in windows: a window is the calls started after the last change of the limit, so every
 * decision is about the current limit, never about calls started under an older one (whose failures or queueing
 * a change has already answered). A window closes after max(4, limit) answered calls and then:
 * - its median latency above tolerance × baseline (and slack above it): the limit shrinks in proportion
 *   (at most halved): calls queue at the panel;
 * - otherwise, if the limit was reached during the window (the limit, not the work, bounded the calls): it grows,
 *   doubling until the first decrease (slow start), then by √limit;
 * - otherwise it stays.
 * One overloaded answer of the current window shrinks the limit at once by `backoff` and starts a new window.
 * No clock: latencies come from the caller, decisions are counted in calls.
 *
 * A sample is the latency less our own event loop's delay over the call (a busy loop of ours answers late, the
 * panel did not): so ingest or a group commit on this thread does not read as panel load. The delay is summed
 * over the call and may include stalls that ended before the answer came, so a corrected sample never goes below
 * the baseline (nor a measured one that is already below it): the baseline falls only on latencies as measured.
 */
export class AdaptiveLimit implements ConcurrencyLimit {
  inFlight = 0;
  private value: number;
  private window = 0;
  private samples: number[] = [];
  private peakInFlight = 0;
  private slowStart = true;
  private readonly medians: number[] = [];
  private readonly max: number;
  private readonly tolerance: number;
  private readonly slackMs: number;
  private readonly backoff: number;
  private readonly baselineWindows: number;

  constructor(opts: AdaptiveLimitOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`a concurrency limit's maximum must be a whole number ≥ 1, got ${opts.max}`);
    this.max = opts.max;
    this.value = clamp(opts.initial ?? 4, 1, this.max);
    this.tolerance = opts.tolerance ?? 1.5;
    this.slackMs = opts.slackMs ?? 25;
    this.backoff = opts.backoff ?? 0.7;
    this.baselineWindows = opts.baselineWindows ?? 30;
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  get available(): number {
    return Math.max(0, this.limit - this.inFlight);
  }

  /** The lowest recent window median, in ms (undefined before the first window closes). */
  get baselineMs(): number | undefined {
    return this.medians.length === 0 ? undefined : Math.min(...this.medians);
  }

  acquire(): Permit {
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    return { window: this.window };
  }

  release(permit: Permit, outcome: CallOutcome, latencyMs: number, loopDelayMs = 0): void {
    this.inFlight -= 1;
    if (permit.window !== this.window || outcome === "ignored") return;
    if (outcome === "overloaded") {
      this.slowStart = false;
      this.change(this.value * this.backoff);
      return;
    }
    this.samples.push(this.panelLatency(latencyMs, loopDelayMs));
    if (this.samples.length >= Math.max(MIN_WINDOW_SAMPLES, this.limit)) this.closeWindow();
  }

  /** The latency the panel is answerable for; before the first window closes, as measured. */
  private panelLatency(latencyMs: number, loopDelayMs: number): number {
    const baseline = this.baselineMs;
    if (baseline === undefined) return latencyMs;
    return Math.max(latencyMs - Math.max(0, loopDelayMs), Math.min(latencyMs, baseline));
  }

  private closeWindow(): void {
    const median = medianOf(this.samples);
    this.medians.push(median);
    if (this.medians.length > this.baselineWindows) this.medians.shift();
    const baseline = Math.min(...this.medians);
    if (median > baseline * this.tolerance && median > baseline + this.slackMs) {
      this.slowStart = false;
      this.change(this.value * Math.max(0.5, baseline / median));
    } else if (this.peakInFlight >= this.limit) {
      this.change(this.slowStart ? this.value * 2 : this.value + Math.sqrt(this.value));
    } else {
      this.change(this.value);
    }
  }

  /** Sets the limit and opens a new window. */
  private change(value: number): void {
    this.value = clamp(value, 1, this.max);
    this.window += 1;
    this.samples = [];
    this.peakInFlight = this.inFlight;
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CREDIT_CONCURRENCY's two meanings: a number is a fixed limit; `adaptiveMax` lets the limit find the panel's capacity. */
export type ConcurrencySetting = number | { adaptiveMax: number };

export function createConcurrencyLimit(setting: ConcurrencySetting): ConcurrencyLimit {
  return typeof setting === "number" ? new FixedLimit(setting) : new AdaptiveLimit({ max: setting.adaptiveMax });
}
