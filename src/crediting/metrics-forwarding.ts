import { createMetrics, type Metrics } from "../metrics.js";

/** One call on a metric in the crediting thread: the metric's name in Metrics, the method, its arguments. */
export type MetricCall = [metric: string, method: string, args: unknown[]];

const RECORDED = ["inc", "dec", "set", "observe", "reset"] as const;

/**
 * Metrics for the crediting thread: the same objects as createMetrics(), whose every inc/dec/set/observe/reset
 * is also handed to `send` (batched per event-loop turn), for the main thread to replay on its own registry
 * (replayMetricCalls), which /metrics and the tests read. Calls through `labels(...)` are not forwarded: the
 * crediter and notifier pass labels as the first argument.
 */
export function forwardedMetrics(send: (calls: MetricCall[]) => void): { metrics: Metrics; flush(): void } {
  const metrics = createMetrics();
  let pending: MetricCall[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const calls = pending;
    pending = [];
    send(calls);
  };
  for (const [name, metric] of Object.entries(metrics)) {
    if (name === "registry") continue;
    const target = metric as unknown as Record<string, unknown>;
    for (const method of RECORDED) {
      const original = target[method];
      if (typeof original !== "function") continue;
      target[method] = (...args: unknown[]) => {
        pending.push([name, method, args]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
        return (original as (...a: unknown[]) => unknown).apply(metric, args);
      };
    }
  }
  return { metrics, flush };
}

/** Applies the crediting thread's metric calls to the main thread's metrics. */
export function replayMetricCalls(metrics: Metrics, calls: readonly MetricCall[]): void {
  for (const [name, method, args] of calls) {
    const metric = (metrics as unknown as Record<string, Record<string, unknown> | undefined>)[name];
    const fn = metric?.[method];
    if (typeof fn === "function") (fn as (...a: unknown[]) => unknown).apply(metric, args);
  }
}
