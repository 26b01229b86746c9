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
