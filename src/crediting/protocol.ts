import type { Config, ProcessConfig } from "../config/config.js";
import type { WakeupChannel } from "../db/wakeup.js";
import type { PanelTimeouts } from "../panel/panel-call.js";
import type { CreditingTimings } from "./jobs.js";
import type { MetricCall } from "./metrics-forwarding.js";

/** One merchant the thread credits and delivers for: its configuration, and the secret values its log lines mask. */
export interface ThreadMerchant {
  id: number;
  config: Config;
  secrets: readonly (string | undefined)[];
}

/** What the crediting thread is started with (structured-cloned into it). */
export interface CreditingThreadData {
  /** The process-wide configuration: the database, the crediter's sizing. */
  config: ProcessConfig;
  /** The merchants served when the thread starts; later changes arrive as `serve` and `drop` messages. */
  merchants: ThreadMerchant[];
  /** Of the panel calls in flight, at most this many for one merchant (a platform). */
  perMerchant?: number;
  timings: CreditingTimings;
  instanceId: string;
  logLevel: string;
  panelTimeouts: Partial<PanelTimeouts>;
  /** The thread's module (src/crediting/worker.ts, or its build), loaded by src/crediting/boot.mjs. */
  entry: string;
}

export type ToThread =
  | { kind: "wake"; channel: WakeupChannel }
  /** Serve this merchant from now on, replacing what the thread had under its id. */
  | { kind: "serve"; merchant: ThreadMerchant }
  | { kind: "drop"; id: number }
  | { kind: "stop" };

export type FromThread =
  | { kind: "started" }
  | { kind: "failed"; message: string }
  | { kind: "wake"; channel: WakeupChannel }
  | { kind: "metrics"; calls: MetricCall[] }
  /** A log line as the thread's logger wrote it (keys redacted, its merchants' secret values masked), for the main logger's stream. */
  | { kind: "log"; line: string }
  | { kind: "stopped" };
