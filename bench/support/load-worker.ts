/**
 * The load generator, in its own process so it does not share an event loop with the server it
 * measures. Started by `runLoad` (load.ts); gets one job over IPC, runs autocannon, sends the result.
 */
import autocannon from "autocannon";
import { createHash, randomBytes } from "node:crypto";
import { BASELINE_SIGNATURE_HEADER, baselineSignature } from "./baseline-server.js";
import { runEvenRate } from "./even-rate.js";
import type { LoadJob, LoadMessage, LoadResult } from "./load.js";

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * One signed RaksmeyPay webhook per reference, built by hand from the published scheme (not with the
 * project's signing code): X-Api-Key header, hash = sha1(profile_key . timestamp . amount . bakong_hash . transaction_id).
 */
function signedWebhooks(job: Extract<LoadJob, { kind: "webhooks" }>): { body: string; headers: Record<string, string> }[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return job.refs.map((transactionId) => {
    const bakongHash = randomBytes(32).toString("hex");
    const hash = sha1(job.profileKey + String(timestamp) + job.amount + bakongHash + transactionId);
    const body = JSON.stringify({
      transaction_id: transactionId, amount: job.amount, currency: job.currency, status: "success",
      profile_id: job.profileId, bakong_hash: bakongHash, timestamp, hash,
    });
    const headers = { "content-type": "application/json", "x-api-key": job.webhookApiKey, [BASELINE_SIGNATURE_HEADER]: baselineSignature(job.webhookApiKey, body) };
    return { body, headers };
  });
}

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
  if (job.kind === "webhooks") {
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
    prepared: job.kind === "webhooks" ? job.refs.length : 0,
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
