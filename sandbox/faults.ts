import type { Context } from "hono";

/** Fault switches shared by the provider and panel simulators. */
export interface ApiFaults {
  /** Answer the next N API calls with this fault, then behave again (Infinity = until reset). */
  mode: "none" | "http500" | "http429" | "timeout";
  remaining: number;
  /** Added latency on every API call. */
  delayMs: number;
}

export interface WebhookFaults {
  mode: "none" | "drop" | "duplicate" | "bad_signature";
  delayMs: number;
}

export function noApiFaults(): ApiFaults {
  return { mode: "none", remaining: 0, delayMs: 0 };
}

export function noWebhookFaults(): WebhookFaults {
  return { mode: "none", delayMs: 0 };
}

/** Consumes one use of the active API fault and returns it, or "none". */
export function takeApiFault(f: ApiFaults): ApiFaults["mode"] {
  if (f.mode === "none" || f.remaining <= 0) return "none";
  f.remaining -= 1;
  const mode = f.mode;
  if (f.remaining <= 0) f.mode = "none";
  return mode;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Answers API calls with the active fault: 500, 429 with Retry-After, or an answer held past any client timeout. */
export function apiFaultMiddleware(faults: ApiFaults, closing: AbortSignal) {
  return async (c: Context, next: () => Promise<void>) => {
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    const fault = takeApiFault(faults);
    if (fault === "http500") return c.text("Internal Server Error", 500);
    if (fault === "http429") return c.text("Too Many Requests", 429, { "retry-after": "2" });
    if (fault === "timeout") {
      await holdOpen(closing, 120_000);
      return c.text("Gateway Timeout", 504);
    }
    await next();
  };
}

/** Resolves after `ms`, or at once when `signal` aborts; never keeps the process alive. */
export function holdOpen(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
