/**
 * An open-loop load generator: request i is due at start + i/rate and is sent then, whether or not
 * earlier ones have been answered; its latency runs from when it was due, so a server that falls
 * behind shows it in the figures instead of slowing the sender down (coordinated omission).
 */
import { Pool } from "undici";
import { percentile } from "./result.js";
import type { LoadResult } from "./load.js";

export interface EvenRateJob {
  url: string;
  path: string;
  rate: number;
  durationSec: number;
  /** Upper bound on open connections; requests due while all are busy wait in the pool's queue. */
  connections: number;
  /** Connections opened (GET /healthz at once) before the schedule starts, as a sender's warm keep-alive pool. */
  warmConnections?: number;
  /** Request i's body and headers, and its path when not `path`. */
  request(i: number): { body: string; headers: Record<string, string>; path?: string };
}

export async function runEvenRate(job: EvenRateJob, onStart: () => void): Promise<LoadResult & { behindMs: number }> {
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const total = Math.round(job.rate * job.durationSec);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let count2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let behindMs = 0;
  const inFlight: Promise<void>[] = [];
  const intervalMs = 1000 / job.rate;
  const warm = Math.min(job.warmConnections ?? 0, job.connections);
  await Promise.all(Array.from({ length: warm }, () => pool.request({ method: "GET", path: "/healthz" }).then((res) => res.body.dump())));
  const start = performance.now();
  onStart();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -behindMs) behindMs = -wait;
    const { body, headers, path } = job.request(i);
    inFlight.push(
      pool.request({ method: "POST", path: path ?? job.path, headers, body }).then(
        async (res) => {
          await res.body.dump();
          latencies.push(performance.now() - due);
          statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
          if (res.statusCode >= 200 && res.statusCode < 300) count2xx++;
          else non2xx++;
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const durationSec = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    durationSec,
    count2xx,
    non2xx,
    errors,
    timeouts: 0,
    statusCodes,
    latency: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0, mean },
    rps2xx: count2xx / job.durationSec,
    prepared: 0,
    built: total,
    repeats: 0,
    behindMs,
  };
}
