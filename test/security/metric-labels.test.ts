import { Agent, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_NAMES } from "../../src/config/config.js";
import { WEBHOOK_REJECTION_REASONS } from "../../src/metrics.js";
import { CHAOS, fingerprint, sameState, summaryLine } from "../reliability/helpers.js";
import { PAYWAY_TOKEN, startWebhookServer } from "./webhook-server.js";

/**
 * Unauthenticated callers cannot grow the metrics: 10,000 distinct bad requests to every webhook
 * route (distinct Content-Types, field names, amounts, keys, paths) leave /metrics the same size
 * within a few KB, every label value comes from a fixed set, and nothing is stored.
 */

const PER_ROUTE = CHAOS ? 50_000 : 10_000;
const CONCURRENCY = 16;
const WARM_UP = 200;
const ROUTES: readonly { name: string; path: (i: number) => string }[] = [
  { name: "raksmeypay", path: () => "/webhooks/raksmeypay" },
  { name: "kess", path: () => "/webhooks/kess" },
  { name: "ahnajak", path: () => "/webhooks/ahnajak" },
  { name: "bakong", path: () => "/webhooks/bakong" },
  { name: "payway", path: () => `/webhooks/payway/${PAYWAY_TOKEN}` },
  { name: "payway, wrong token", path: (i) => `/webhooks/payway/probe-token-${i}` },
  { name: "unknown provider", path: (i) => `/webhooks/probe-${i}` },
];

interface BadRequest {
  headers: Record<string, string>;
  body: string;
}

/** Bad request number i: each differs from every other in the text a careless label would copy. */
function badRequest(i: number): BadRequest {
  switch (i % 4) {
    case 0:
      return { headers: { "content-type": `application/x-probe-${i}; charset=probe-${i}` }, body: `probe ${i}` };
    case 1:
      return { headers: { "content-type": "application/json" }, body: JSON.stringify({ [`field_${i}`]: i, amount: `${i}.5e3`, currency: `X${i}` }) };
    case 2:
      return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: `out_trade_no=probe-${i}&sign=bad-${i}&sign_type=T${i}` };
    default:
      return {
        headers: { "content-type": "application/json", "x-api-key": `key-${i}`, "x-ahnajak-signature": `sig-${i}` },
        body: JSON.stringify({
          profile_id: `p-${i}`, transaction_id: String(100_000 + i), amount: `${i}.${i % 100}`, currency: `C${i}`, status: `S${i}`,
          hash: `h${i}`, tran_id: `t${i}`, merchant_ref: `m${i}`, original_amount: i, out_trade_no: `o${i}`,
        }),
      };
  }
}

setFlagsFromString("--expose-gc");
/** A full collection before each memory reading, so before and after compare live objects, not garbage. */
const collectGarbage = runInNewContext("gc") as () => void;

let server: Awaited<ReturnType<typeof startWebhookServer>>;
const figures = { requests: 0, statuses: new Map<number, number>(), metricsBefore: 0, metricsAfter: 0, heapBeforeMb: 0, heapPerRouteMb: [] as number[], heapAfterMb: 0, stateChanges: 0 };

beforeAll(async () => {
  server = await startWebhookServer();
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
  summaryLine("metric-labels", {
    "bad requests": figures.requests,
    routes: ROUTES.length,
    answers: [...figures.statuses].map(([s, n]) => `${s}x${n}`).join("/"),
    "/metrics bytes before": figures.metricsBefore,
    "/metrics bytes after": figures.metricsAfter,
    "heap MB before": figures.heapBeforeMb,
    "heap MB after each route": figures.heapPerRouteMb.join("/"),
    "heap MB after": figures.heapAfterMb,
    "state changes": figures.stateChanges,
  });
});

const metricsText = async () => (await fetch(`${server.url}/metrics`)).text();
const heapMb = () => {
  collectGarbage();
  return Math.round(process.memoryUsage().heapUsed / 1_048_576);
};
// node:http with keep-alive: several times cheaper per request than fetch, which matters at 70,000 requests.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(path: string, init: BadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: "POST", agent, headers: { ...init.headers, "content-length": Buffer.byteLength(init.body) } }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("error", reject);
    req.end(init.body);
  });
}

async function send(route: (typeof ROUTES)[number], from: number, count: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const i = next++;
      const status = await post(route.path(i), badRequest(i));
      figures.requests++;
      figures.statuses.set(status, (figures.statuses.get(status) ?? 0) + 1);
      if (status < 400 || status >= 500) expect.fail(`${route.name} #${i} answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe("metrics stay bounded under distinct bad requests", { timeout: CHAOS ? 30 * 60_000 : 300_000 }, () => {
  it(`${PER_ROUTE} distinct bad requests per webhook route leave /metrics the same size within a few KB`, async () => {
    // Every kind of bad request on every route first: each label series that can exist then does, and the code is warm.
    for (const route of ROUTES) await send(route, 0, WARM_UP);
    const state = await fingerprint(server.database);
    const before = await metricsText();
    figures.metricsBefore = before.length;
    figures.heapBeforeMb = heapMb();

    for (const route of ROUTES) {
      await send(route, WARM_UP, PER_ROUTE);
      figures.heapPerRouteMb.push(heapMb());
    }

    const after = await metricsText();
    figures.metricsAfter = after.length;
    figures.heapAfterMb = heapMb();
    figures.stateChanges = sameState(state, await fingerprint(server.database)) ? 0 : 1;
    // Counter values grow by a few digits each; anything copied from a request would add megabytes.
    expect(after.length - before.length).toBeLessThan(2_048);
    expect(figures.stateChanges).toBe(0);
  });

  it("every label value comes from a fixed set", async () => {
    const providers = new Set<string>([...PROVIDER_NAMES, "unknown"]);
    const reasons = new Set<string>([...Object.values(WEBHOOK_REJECTION_REASONS), "other"]);
    const rejections = await server.metrics.webhookRejections.get();
    expect(rejections.values.length).toBeGreaterThan(0);
    for (const { labels } of rejections.values) {
      expect(providers, JSON.stringify(labels)).toContain(labels.provider);
      expect(reasons, JSON.stringify(labels)).toContain(labels.reason);
    }
    for (const metric of await server.metrics.registry.getMetricsAsJSON()) {
      for (const value of metric.values) {
        for (const [label, text] of Object.entries(value.labels)) {
          expect(String(text).length, `${metric.name}{${label}}`).toBeLessThanOrEqual(24);
          if (label === "provider") expect(providers).toContain(text);
        }
      }
    }
  });
});
