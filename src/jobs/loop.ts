import type { WakeupChannel } from "../db/wakeup.js";
import type { Logger } from "../logger.js";

export interface WorkLoop {
  start(): void;
  /** Runs a pass soon (coalesces bursts of wake-ups into one pass). */
  wake(): void;
  /** Stops scheduling and waits for the pass in progress to finish. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/**
 * Runs `pass` when woken and at least every `sweepMs` (the safety net for lost wake-ups).
 * `pass` returns true when it may have left work behind, to run again at once.
 */
export function createWorkLoop(
  name: string,
  pass: () => Promise<boolean>,
  opts: { sweepMs: number; log: Logger; /** Passes start at least this far apart, however often woken. */ minGapMs?: number },
): WorkLoop {
  let running = false;
  let current: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let lastStart = -Infinity;
  const soon = () => Math.max(0, lastStart + (opts.minGapMs ?? 0) - performance.now());

  const schedule = (ms: number) => {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };

  function run(): void {
    if (!running) return;
    if (current) {
      again = true;
      return;
    }
    again = false;
    lastStart = performance.now();
    current = (async () => {
      let more = false;
      try {
        more = await pass();
      } catch (err) {
        opts.log.error({ err, worker: name }, "worker pass failed; retrying on the next sweep");
      }
      current = null;
      schedule(more || again ? soon() : opts.sweepMs);
    })();
  }

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    wake() {
      if (!running) return;
      if (current) again = true;
      else schedule(soon());
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

/** A loop that also runs when `channel` is signalled; stopping it unsubscribes. */
export function subscribedLoop(
  loop: WorkLoop,
  wakeup: { on(channel: WakeupChannel, fn: () => void): () => void },
  channel: WakeupChannel,
  pass: () => Promise<boolean>,
): WorkLoop & { pass(): Promise<boolean> } {
  const unsubscribe = wakeup.on(channel, () => loop.wake());
  return {
    pass,
    get running() {
      return loop.running;
    },
    start: () => loop.start(),
    wake: () => loop.wake(),
    async stop() {
      unsubscribe();
      await loop.stop();
    },
  };
}
