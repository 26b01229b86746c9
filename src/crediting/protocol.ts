import type { Config } from "../config/config.js";
import type { WakeupChannel } from "../db/wakeup.js";
import type { PanelTimeouts } from "../panel/panel-call.js";
import type { CreditingTimings } from "./jobs.js";
import type { MetricCall } from "./metrics-forwarding.js";

/** What the crediting thread is started with (structured-cloned into it). */
export interface CreditingThreadData {
  config: Config;
  timings: CreditingTimings;
  instanceId: string;
  logLevel: string;
  panelTimeouts: Partial<PanelTimeouts>;
  /** The thread's module (src/crediting/worker.ts, or its build), loaded by src/crediting/boot.mjs. */
  entry: string;
}

export type ToThread = { kind: "wake"; channel: WakeupChannel } | { kind: "stop" };

export type FromThread =
  | { kind: "started" }
  | { kind: "failed"; message: string }
  | { kind: "wake"; channel: WakeupChannel }
  | { kind: "metrics"; calls: MetricCall[] }
  /** A log line as the thread's logger wrote it (keys redacted), for the main logger's stream (which masks secret values). */
  | { kind: "log"; line: string }
  | { kind: "stopped" };
