/**
 * The load generator, in its own process so it does not share an event loop with the server it
 * measures. Started by `runLoad` (load.ts); gets one job over IPC, runs autocannon, sends the result.
 */
import autocannon from "autocannon";
import { runEvenRate } from "./even-rate.js";
import type { LoadJob, LoadMessage, LoadResult } from "./load.js";
import { signedWebhooks } from "./raksmeypay-webhooks.js";

async function runJob(job: LoadJob): Promise<LoadResult> {
  let requests: autocannon.Request[];
  let next = 0;
  let repeats = 0;
  if (job.kind === "webhooks" && job.evenRate) {
    const prepared = signedWebhooks(job);
    const result = await runEvenRate(
      { url: job.url, path: job.path, rate: job.evenRate, durationSec: job.durationSec, connections: job.connections, warmConnections: job.warmConnections, request: (i) => ({ ...prepared[i % prepared.length]!, path: job.paths?.[i % job.paths.length] ?? job.path }) },
      () => send({ kind: "started" }),
    );
    return { ...result, prepared: prepared.length, repeats: Math.max(0, result.built - prepared.length) };
  }
  if (job.kind === "requests" && job.evenRate) {
    const list = job.requests;
    const result = await runEvenRate(
      { url: job.url, path: "/", rate: job.evenRate, durationSec: job.durationSec, connections: job.connections, warmConnections: job.warmConnections, request: (i) => list[i % list.length]! },
      () => send({ kind: "started" }),
    );
    return { ...result, prepared: list.length, repeats: Math.max(0, result.built - list.length) };
  }
  if (job.kind === "requests") {
    const list = job.requests;
    requests = [{
      method: "POST",
      path: list[0]!.path,
      setupRequest: (req) => {
        const i = next++;
        if (i >= list.length) repeats++;
        const item = list[i % list.length]!;
        return { ...req, method: "POST", path: item.path, headers: item.headers, body: item.body };
      },
    }];
  } else if (job.kind === "webhooks") {
    const prepared = signedWebhooks(job);
    requests = [{
      method: "POST",
      path: job.path,
      // Every request takes the next unused paid top-up; a repeat is only sent if the list runs out (counted).
      setupRequest: (req) => {
        const i = next++;
        if (i >= prepared.length) repeats++;
        const item = prepared[i % prepared.length]!;
        return { ...req, method: "POST", path: job.path, headers: item.headers, body: item.body };
      },
    }];
  } else {
    requests = [{ method: "GET", path: job.path }];
  }

  const rate = job.kind === "webhooks" && job.overallRate ? { overallRate: job.overallRate } : {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: job.url, connections: job.connections, duration: job.durationSec, pipelining: 1, timeout: 10, requests, ...rate },
      (err: unknown, res: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on("start", () => send({ kind: "started" }));
  });
  return {
    durationSec: result.duration,
    count2xx: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0])),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    rps2xx: result["2xx"] / result.duration,
    prepared: job.kind === "webhooks" ? job.refs.length : job.kind === "requests" ? job.requests.length : 0,
    built: next,
    repeats,
  };
}

function send(message: LoadMessage): void {
  process.send?.(message);
}

process.once("message", (job: LoadJob) => {
  runJob(job).then(
    (result) => send({ kind: "result", result }),
    (err: unknown) => send({ kind: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
