/**
 * How long this thread's event loop has been held up, summed: a timer due every `resolutionMs` adds how late it
 * fired (beyond a millisecond of timer slack), and a stall in progress counts as far as it has gone. A panel call's
 * latency measured around it includes the stretch its answer waited for our loop; `end(begin())` over the same
 * call is that stretch's upper bound. The timer runs only while some measurement is open, so an idle thread sleeps.
 */
export class LoopDelayClock {
  private totalMs = 0;
  private dueAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private open = 0;

  constructor(
    private readonly resolutionMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Opens a measurement: pass the mark to end(). */
  begin(): number {
    if (this.open++ === 0) this.schedule();
    return this.read();
  }

  /** Closes a measurement: the loop's delay since its begin(), in ms. */
  end(mark: number): number {
    const delay = Math.max(0, this.read() - mark);
    if (--this.open === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    return delay;
  }

  private read(): number {
    return this.totalMs + (this.timer ? lateness(this.now() - this.dueAt) : 0);
  }

  private schedule(): void {
    this.dueAt = this.now() + this.resolutionMs;
    this.timer = setTimeout(() => {
      this.totalMs += lateness(this.now() - this.dueAt);
      this.schedule();
    }, this.resolutionMs);
    this.timer.unref();
  }
}

/** Node fires a timer up to about a millisecond late on an idle loop: that much is not a stall. */
const TIMER_SLACK_MS = 1;

function lateness(ms: number): number {
  return Math.max(0, ms - TIMER_SLACK_MS);
}
