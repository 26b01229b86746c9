import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TSX_EXEC_ARGV } from "./result.js";

export type LoadJob =
  | {
      kind: "webhooks";
      url: string;
      path: string;
      /** Even rate only: request i goes to paths[i mod paths.length] instead of `path` (a platform's merchants' addresses). */
      paths?: string[];
      refs: string[];
      profileId: string;
      profileKey: string;
      webhookApiKey: string;
      amount: string;
      currency: string;
      connections: number;
      durationSec: number;
      /** Requests per second over all connections (autocannon's overallRate); unpaced when absent. */
      overallRate?: number;
      /**
       * Open loop: one request every 1/rate seconds whatever the answers do (not autocannon's
       * per-second bursts), each request's latency timed from when it was due.
       */
      evenRate?: number;
      /** Even rate only: connections opened before the schedule starts (a sender's warm keep-alive pool). */
      warmConnections?: number;
    }
  | {
      /** Prepared requests, each to its own path (many merchants' addresses): sent in order, at `evenRate` (open loop) or as fast as answered. */
      kind: "requests";
      url: string;
      requests: PreparedRequest[];
      connections: number;
      durationSec: number;
      evenRate?: number;
      warmConnections?: number;
    }
  | { kind: "get"; url: string; path: string; connections: number; durationSec: number };

export interface PreparedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  durationSec: number;
  count2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** autocannon's latency histogram, milliseconds. */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  rps2xx: number;
  /** Webhook jobs: distinct signed bodies prepared, request bodies built, and repeats (0 unless the list ran out). */
  prepared: number;
  built: number;
  repeats: number;
  /** Even-rate jobs: how late the sender itself fell behind its schedule at worst, ms. */
  behindMs?: number;
}

export type LoadMessage = { kind: "started" } | { kind: "result"; result: LoadResult } | { kind: "error"; message: string };

const WORKER = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

/**
 * Runs one autocannon job in a child process (its own event loop and, on a multi-core machine,
 * its own core). `onStart` fires when autocannon starts sending.
 */
export function runLoad(job: LoadJob, onStart?: () => void): Promise<LoadResult> {
  const child = fork(WORKER, [], { execArgv: TSX_EXEC_ARGV, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      child.kill();
      fn();
    };
    child.on("message", (message: LoadMessage) => {
      if (message.kind === "started") onStart?.();
      else if (message.kind === "result") finish(() => resolve(message.result));
      else finish(() => reject(new Error(`load generator failed: ${message.message}`)));
    });
    child.on("error", (err) => finish(() => reject(err)));
    child.on("exit", (code) => finish(() => reject(new Error(`load generator exited with code ${code} before answering`))));
    child.send(job);
  });
}
