/**
 * Crediting against a slow panel: the panel simulator answers every call after 150 ms. Phase A: a
 * backlog drained with a small in-flight limit (throughput = limit ÷ latency). Phase B: 1,000
 * payments/s at an even rate with a limit sized for it (limit ≥ rate × latency): payment → credit
 * should then cost the panel's latency and little else.
 */
import { SANDBOX_CUSTOMER } from "../sandbox/start-sandbox.js";
import { lastPaymentId, paymentCredits, type PaymentCredit } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp } from "./support/fixtures.js";
import { runLoad } from "./support/load.js";
import { ms, num, perSec, sleep, summarize, type BenchResult } from "./support/result.js";

const PANEL_MS = 150;
const BACKLOG = 3_000;
const SMALL_LIMIT = 32;
const RATE = 1_000;
const RATE_SEC = 5;
const SIZED_LIMIT = 256;
const WARMUP_SEC = 1;
/** Opened before each load starts, as a provider's delivery pool keeps connections alive. */
const WARM_CONNECTIONS = 64;

async function waitForCredits(databaseUrl: string, count: number, limitMs: number, sincePaymentId = 0): Promise<PaymentCredit[]> {
  const until = Date.now() + limitMs;
  for (;;) {
    const rows = paymentCredits(databaseUrl, sincePaymentId);
    if (rows.filter((r) => r.done !== null).length >= count || Date.now() > until) return rows;
    await sleep(250);
  }
}

async function phase(limit: number, total: number, rate: number) {
  const bench = await startBenchApp(`panel-${limit}`, {
    providers: ["raksmeypay"],
    env: { CREDIT_CONCURRENCY: String(limit), PANEL_MAX_CONNECTIONS: String(limit) },
  });
  const { sandbox, app, config, databaseUrl } = bench;
  try {
    sandbox.panel.faults.slowMs = PANEL_MS;
    const warmRefs = references(rate * WARMUP_SEC, "251124");
    const refs = references(total);
    seedTopUps(databaseUrl, { provider: "raksmeypay", refs: [...warmRefs, ...refs], amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id), userPerTopUp: true });
    const rp = config.providers.raksmeypay!;
    const load = (list: string[]) =>
      runLoad({
        kind: "webhooks", url: app.url, path: "/webhooks/raksmeypay", refs: list, profileId: rp.profileId, profileKey: rp.profileKey,
        webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: 256, warmConnections: WARM_CONNECTIONS, durationSec: list.length / rate, evenRate: rate,
      });
    // Warm-up on other top-ups (JIT, connections to the panel), then its credits drain before measuring.
    await load(warmRefs);
    await waitForCredits(databaseUrl, warmRefs.length, 30_000);
    const since = lastPaymentId(databaseUrl);
    const hooks = await load(refs);
    const rows = await waitForCredits(databaseUrl, total, 60_000, since);
    return { hooks, rows };
  } finally {
    await bench.close();
  }
}

export async function run(): Promise<BenchResult> {
  const a = await phase(SMALL_LIMIT, BACKLOG, RATE);
  const doneA = a.rows.map((r) => r.done).filter((d): d is number => d !== null).sort((x, y) => x - y);
  // Steady state: between the 10th and the 90th percentile of completion times.
  const lo = doneA[Math.floor(doneA.length * 0.1)]!;
  const hi = doneA[Math.floor(doneA.length * 0.9)]!;
  const throughput = (doneA.length * 0.8) / Math.max(0.001, (hi - lo) / 1000);
  const expected = (0.8 * SMALL_LIMIT) / (PANEL_MS / 1000);

  const b = await phase(SIZED_LIMIT, RATE * RATE_SEC, RATE);
  const latB = summarize(b.rows.filter((r) => r.done !== null).map((r) => r.done! - r.observed));
  const missingB = b.rows.filter((r) => r.done === null).length + (RATE * RATE_SEC - b.rows.length);
  return {
    name: "panel-latency",
    title: "Crediting against a panel that answers in 150 ms",
    method: [
      `startApplication in sandbox configuration (RaksmeyPay only) on a temp SQLite file; the perfectpanel simulator (same process) sleeps ${PANEL_MS} ms before every answer. Each phase starts with a ${WARMUP_SEC} s warm-up at the same rate on other top-ups, whose credits drain before the measured load; the sender opens ${WARM_CONNECTIONS} connections first.`,
      `Phase A: CREDIT_CONCURRENCY = PANEL_MAX_CONNECTIONS = ${SMALL_LIMIT}; ${BACKLOG.toLocaleString("en-US")} signed webhooks at ${RATE}/s (even rate) build a backlog; credits/s is measured between the 10th and 90th percentile of completion times.`,
      `Phase B: CREDIT_CONCURRENCY = PANEL_MAX_CONNECTIONS = ${SIZED_LIMIT} (≥ ${RATE}/s × ${PANEL_MS / 1000} s); ${(RATE * RATE_SEC).toLocaleString("en-US")} webhooks at an even ${RATE}/s; payment → credit = credit doneAt − payment observedAt, from the database.`,
    ],
    figures: [
      { label: `Phase A: credits/s with ${SMALL_LIMIT} in flight (ideal ${num(SMALL_LIMIT / (PANEL_MS / 1000), 0)} /s)`, value: perSec(throughput) },
      { label: "Phase A: webhooks answered 2xx", value: `${a.hooks.count2xx.toLocaleString("en-US")} of ${BACKLOG.toLocaleString("en-US")}` },
      { label: "Phase B: webhooks answered 2xx, p99 from due time", value: `${b.hooks.count2xx.toLocaleString("en-US")} of ${(RATE * RATE_SEC).toLocaleString("en-US")}, ${ms(b.hooks.latency.p99)}` },
      { label: "Phase B: payment → credit p50 / p99 / max", value: `${ms(latB.p50)} / ${ms(latB.p99)} / ${ms(latB.max)}` },
      { label: "Phase B: credits not done 60 s after the load", value: num(missingB, 0) },
    ],
    targets: [
      { label: `Credits/s with ${SMALL_LIMIT} in flight`, target: `≥ ${num(expected, 0)} /s (0.8 × ${SMALL_LIMIT} ÷ 0.15 s)`, measured: perSec(throughput), met: throughput >= expected },
      { label: "Payment → credit p99 at 1,000/s", target: `≤ ${PANEL_MS + 30} ms (panel + 30 ms)`, measured: ms(latB.p99), met: latB.p99 <= PANEL_MS + 30 && missingB === 0 },
    ],
    notes: [`The panel's latency is the simulator's fixed ${PANEL_MS} ms sleep, so its p99 is ${PANEL_MS} ms plus loopback HTTP.`],
  };
}
