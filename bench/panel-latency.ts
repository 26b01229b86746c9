/**
 * Crediting against a slow panel: the panel simulator, in a process of its own as a real panel is, answers every
 * call after 150 ms. Default settings: a
 * backlog drained with no CREDIT_CONCURRENCY set, so the crediter's adaptive limit has to find the panel's
 * capacity (up to PANEL_MAX_CONNECTIONS). Fixed: the same with CREDIT_CONCURRENCY as an override
 * (throughput = limit ÷ latency). At 1,000/s: payments at an even rate with PANEL_MAX_CONNECTIONS sized for
 * it (≥ rate × latency), the limit still adaptive: payment → credit should then cost the panel's latency and
 * little else. Each phase runs RUNS times; figures are medians with min–max.
 * Short form: PANEL_LATENCY_RUNS=1 PANEL_LATENCY_BACKLOG=2000.
 */
import { SANDBOX_CUSTOMER } from "../sandbox/start-sandbox.js";
import { lastPaymentId, paymentCredits, type PaymentCredit } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp } from "./support/fixtures.js";
import { runLoad } from "./support/load.js";
import { startPanelProcess } from "./support/panel-process.js";
import { ms, num, sleep, summarize, type BenchResult } from "./support/result.js";

const PANEL_MS = 150;
const RUNS = Number(process.env.PANEL_LATENCY_RUNS ?? 3);
const BACKLOG = Number(process.env.PANEL_LATENCY_BACKLOG ?? 3_000);
/** PANEL_MAX_CONNECTIONS's default (src/config/config.ts): the adaptive limit's maximum at default settings. */
const DEFAULT_MAX = 64;
const FIXED_LIMIT = 32;
const RATE = 1_000;
const RATE_SEC = 5;
const SIZED_MAX = 256;
const WARMUP_SEC = 1;
/** Opened before each load starts, as a provider's delivery pool keeps connections alive. */
const WARM_CONNECTIONS = 64;
const LIMIT_SAMPLE_MS = 50;
/** How long the measured credits may take after the load before the rest count as not done. */
const DRAIN_WAIT_MS = 40_000;
const PANEL_API_KEY = "bench-panel-api-key";
const NO_LATENCY = { n: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };

async function waitForCredits(databaseUrl: string, count: number, limitMs: number, sincePaymentId = 0): Promise<PaymentCredit[]> {
  const until = Date.now() + limitMs;
  for (;;) {
    const rows = paymentCredits(databaseUrl, sincePaymentId);
    if (rows.filter((r) => r.done !== null).length >= count || Date.now() > until) return rows;
    await sleep(250);
  }
}

interface PhaseRun {
  credited: number;
  creditsPerSec: number;
  hooks2xx: number;
  hookP99: number;
  latency: ReturnType<typeof summarize>;
  missing: number;
  /** The crediter's concurrency limit (khqr_crediter_concurrency_limit): highest sampled, and at the end. */
  limitPeak: number;
  limitEnd: number;
}

async function phase(label: string, env: Record<string, string>, total: number, rate: number): Promise<PhaseRun> {
  const panel = await startPanelProcess({ apiKey: PANEL_API_KEY, slowMs: PANEL_MS });
  const bench = await startBenchApp(`panel-${label}`, { providers: ["raksmeypay"], env: { ...env, PANEL_URL: panel.url, PANEL_API_KEY } }).catch((err: unknown) => {
    panel.close();
    throw err;
  });
  const { app, config, databaseUrl } = bench;
  const limitNow = async () => (await app.metrics.crediterConcurrencyLimit.get()).values[0]?.value ?? 0;
  let limitPeak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      limitPeak = Math.max(limitPeak, await limitNow());
      await sleep(LIMIT_SAMPLE_MS);
    }
  })();
  try {
    const warmRefs = references(rate * WARMUP_SEC, "251124");
    const refs = references(total);
    seedTopUps(databaseUrl, { provider: "raksmeypay", refs: [...warmRefs, ...refs], amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id), userPerTopUp: true });
    const rp = config.providers.raksmeypay!;
    const load = (list: string[]) =>
      runLoad({
        kind: "webhooks", url: app.url, path: "/webhooks/raksmeypay", refs: list, profileId: rp.profileId, profileKey: rp.profileKey,
        webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: 256, warmConnections: WARM_CONNECTIONS, durationSec: list.length / rate, evenRate: rate,
      });
    // Warm-up on other top-ups (JIT, connections to the panel, the limit's first steps), then its credits drain.
    await load(warmRefs);
    await waitForCredits(databaseUrl, warmRefs.length, 20_000);
    const since = lastPaymentId(databaseUrl);
    const hooks = await load(refs);
    const rows = await waitForCredits(databaseUrl, total, DRAIN_WAIT_MS, since);
    const done = rows.map((r) => r.done).filter((d): d is number => d !== null).sort((x, y) => x - y);
    // Steady state: between the 10th and the 90th percentile of completion times.
    const lo = done[Math.floor(done.length * 0.1)] ?? 0;
    const hi = done[Math.floor(done.length * 0.9)] ?? 0;
    return {
      credited: done.length,
      creditsPerSec: (done.length * 0.8) / Math.max(0.001, (hi - lo) / 1000),
      hooks2xx: hooks.count2xx,
      hookP99: hooks.latency.p99,
      latency: done.length === 0 ? NO_LATENCY : summarize(rows.filter((r) => r.done !== null).map((r) => r.done! - r.observed)),
      missing: rows.filter((r) => r.done === null).length + (total - rows.length),
      limitPeak,
      limitEnd: await limitNow(),
    };
  } finally {
    sampling = false;
    await sampler;
    await bench.close();
    panel.close();
  }
}

/** The runs' values of one figure, sorted; a run with no credit done has no latency and is left out of those. */
function valuesOf(runs: readonly PhaseRun[], pick: (r: PhaseRun) => number): number[] {
  return runs.map(pick).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** "median (min–max)" of one figure over the runs. */
function spread(runs: readonly PhaseRun[], pick: (r: PhaseRun) => number, format: (v: number) => string): string {
  const values = valuesOf(runs, pick);
  if (values.length === 0) return "none";
  const middle = format(values[Math.floor(values.length / 2)]!);
  const all = values.length < runs.length ? ` of ${values.length} runs` : "";
  return values.length === 1 ? `${middle}${all}` : `${middle} (${format(values[0]!)}–${format(values.at(-1)!)})${all}`;
}

function median(runs: readonly PhaseRun[], pick: (r: PhaseRun) => number): number {
  const values = valuesOf(runs, pick);
  return values[Math.floor(values.length / 2)] ?? Number.NaN;
}
const rate0 = (v: number) => num(v, 0);
const whole = (v: number) => num(v, 0);

export async function run(): Promise<BenchResult> {
  const defaults: PhaseRun[] = [];
  const fixed: PhaseRun[] = [];
  const sized: PhaseRun[] = [];
  // Interleaved, so a busy stretch of the shared machine falls on every phase alike.
  for (let i = 0; i < RUNS; i++) {
    defaults.push(await phase("default", {}, BACKLOG, RATE));
    fixed.push(await phase(`fixed-${FIXED_LIMIT}`, { CREDIT_CONCURRENCY: String(FIXED_LIMIT), PANEL_MAX_CONNECTIONS: String(FIXED_LIMIT) }, BACKLOG, RATE));
    sized.push(await phase(`sized-${SIZED_MAX}`, { PANEL_MAX_CONNECTIONS: String(SIZED_MAX) }, RATE * RATE_SEC, RATE));
  }
  const defaultTarget = (0.8 * DEFAULT_MAX) / (PANEL_MS / 1000);
  const fixedTarget = (0.8 * FIXED_LIMIT) / (PANEL_MS / 1000);
  const defaultRate = median(defaults, (r) => r.creditsPerSec);
  const fixedRate = median(fixed, (r) => r.creditsPerSec);
  const sizedP99 = median(sized, (r) => r.latency.p99);
  const sizedMissing = Math.max(...sized.map((r) => r.missing));
  const backlog = BACKLOG.toLocaleString("en-US");
  return {
    name: "panel-latency",
    title: "Crediting against a panel that answers in 150 ms",
    method: [
      `startApplication in sandbox configuration (RaksmeyPay only) on a temp SQLite file; the perfectpanel simulator, in a process of its own (a panel is a server of its own: the application's event loops must not slow its answers), sleeps ${PANEL_MS} ms before every answer. Each phase starts a fresh application with a ${WARMUP_SEC} s warm-up at the same rate on other top-ups, whose credits drain before the measured load; the sender opens ${WARM_CONNECTIONS} connections first.`,
      `Default settings: no CREDIT_CONCURRENCY or PANEL_MAX_CONNECTIONS set (adaptive limit, at most ${DEFAULT_MAX}); ${backlog} signed webhooks at ${RATE}/s (even rate) build a backlog, more than the panel takes; credits/s is measured between the 10th and 90th percentile of completion times. The limit is khqr_crediter_concurrency_limit read every ${LIMIT_SAMPLE_MS} ms.`,
      `Fixed: CREDIT_CONCURRENCY = PANEL_MAX_CONNECTIONS = ${FIXED_LIMIT} (the override), the same load.`,
      `1,000/s: PANEL_MAX_CONNECTIONS = ${SIZED_MAX} (≥ ${RATE}/s × ${PANEL_MS / 1000} s), CREDIT_CONCURRENCY unset (adaptive); ${(RATE * RATE_SEC).toLocaleString("en-US")} webhooks at an even ${RATE}/s; payment → credit = credit doneAt − payment observedAt, from the database.`,
      `${RUNS} runs of each phase, interleaved (default, fixed, 1,000/s, default, …); each figure is the median, with min–max in brackets.`,
    ],
    figures: [
      { label: `Default settings: credits/s (ideal at the maximum ${num(DEFAULT_MAX / (PANEL_MS / 1000), 0)} /s)`, value: `${spread(defaults, (r) => r.creditsPerSec, rate0)} /s` },
      { label: "Default settings: concurrency limit reached / at the end", value: `${spread(defaults, (r) => r.limitPeak, whole)} / ${spread(defaults, (r) => r.limitEnd, whole)} of ${DEFAULT_MAX}` },
      { label: "Default settings: payment → credit p50 / p99 (a backlog: 1,000/s arrive, the panel takes less)", value: `${spread(defaults, (r) => r.latency.p50, (v) => ms(v, 0))} / ${spread(defaults, (r) => r.latency.p99, (v) => ms(v, 0))}` },
      { label: "Default settings: webhooks answered 2xx, credits applied", value: `${spread(defaults, (r) => r.hooks2xx, whole)} / ${spread(defaults, (r) => r.credited, whole)} of ${backlog}` },
      { label: `Fixed ${FIXED_LIMIT}: credits/s (ideal ${num(FIXED_LIMIT / (PANEL_MS / 1000), 0)} /s)`, value: `${spread(fixed, (r) => r.creditsPerSec, rate0)} /s` },
      { label: `1,000/s (max ${SIZED_MAX}): payment → credit p50 / p99 / max`, value: `${spread(sized, (r) => r.latency.p50, (v) => ms(v, 0))} / ${spread(sized, (r) => r.latency.p99, (v) => ms(v, 0))} / ${spread(sized, (r) => r.latency.max, (v) => ms(v, 0))}` },
      { label: `1,000/s (max ${SIZED_MAX}): concurrency limit reached`, value: spread(sized, (r) => r.limitPeak, whole) },
      { label: "1,000/s: webhooks answered 2xx, p99 from due time", value: `${spread(sized, (r) => r.hooks2xx, whole)} of ${(RATE * RATE_SEC).toLocaleString("en-US")}, ${spread(sized, (r) => r.hookP99, (v) => ms(v, 0))}` },
      { label: `1,000/s: credits not done ${DRAIN_WAIT_MS / 1000} s after the load (worst run)`, value: num(sizedMissing, 0) },
    ],
    targets: [
      { label: "Credits/s at default settings", target: `≥ ${num(defaultTarget, 0)} /s (0.8 × PANEL_MAX_CONNECTIONS ${DEFAULT_MAX} ÷ 0.15 s)`, measured: `${num(defaultRate, 0)} /s`, met: defaultRate >= defaultTarget },
      { label: `Credits/s with CREDIT_CONCURRENCY = ${FIXED_LIMIT}`, target: `≥ ${num(fixedTarget, 0)} /s (0.8 × ${FIXED_LIMIT} ÷ 0.15 s)`, measured: `${num(fixedRate, 0)} /s`, met: fixedRate >= fixedTarget },
      { label: "Payment → credit p99 at 1,000/s", target: `≤ ${PANEL_MS + 30} ms (panel + 30 ms)`, measured: Number.isFinite(sizedP99) ? ms(sizedP99) : "no credit done", met: sizedP99 <= PANEL_MS + 30 && sizedMissing === 0 },
    ],
    notes: [`The panel's latency is the simulator's fixed ${PANEL_MS} ms sleep, so its p99 is ${PANEL_MS} ms plus loopback HTTP.`],
  };
}
