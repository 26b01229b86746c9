/**
 * Webhook ingest at an even rate (open loop): the whole application on a temp SQLite file receives
 * 1,000 distinct signed RaksmeyPay webhooks a second for 10 s, one every millisecond, each timed from
 * when it was due. Then: how long payment → credit took, and whether a backlog was left behind.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { SANDBOX_CUSTOMER } from "../src/sandbox/start-sandbox.js";
import { lastPaymentId, paymentCredits } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp } from "./support/fixtures.js";
import { runLoad } from "./support/load.js";
import { watchServer } from "./support/server-timing.js";
import { ms, num, perSec, sleep, summarize, type BenchResult } from "./support/result.js";

const RATE = 1_000;
const DURATION_SEC = 10;
const WARMUP_SEC = 2;
const CONNECTIONS = 256;
/** Opened before each phase starts, as a provider's delivery pool keeps connections alive. */
const WARM_CONNECTIONS = 64;
const BACKLOG_CHECK_MS = 1_000;
/**
 * Panel calls in flight, sized by the README's formula: rate × time one credit holds a slot. At 1,000/s a
 * slot is held ~15–25 ms under this load (claim turn, panel round trip, finish turn), so 32 leaves headroom.
 */
const CREDIT_SLOTS = 32;
const BENCH_ENV = { CREDIT_CONCURRENCY: String(CREDIT_SLOTS), PANEL_MAX_CONNECTIONS: String(CREDIT_SLOTS) };

export async function run(): Promise<BenchResult> {
  const server = watchServer("/webhooks/");
  const bench = await startBenchApp("even", { providers: ["raksmeypay"], env: BENCH_ENV });
  const { app, config, databaseUrl } = bench;
  try {
    const warmRefs = references(RATE * WARMUP_SEC, "251120");
    const refs = references(RATE * DURATION_SEC);
    seedTopUps(databaseUrl, { provider: "raksmeypay", refs: [...warmRefs, ...refs], amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id), userPerTopUp: true });
    const rp = config.providers.raksmeypay!;
    const job = (list: string[], durationSec: number) => ({
      kind: "webhooks" as const, url: app.url, path: "/webhooks/raksmeypay", refs: list,
      profileId: rp.profileId, profileKey: rp.profileKey, webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD",
      connections: CONNECTIONS, warmConnections: WARM_CONNECTIONS, durationSec, evenRate: RATE,
    });
    await runLoad(job(warmRefs, WARMUP_SEC));
    await sleep(2_000);
    const since = lastPaymentId(databaseUrl);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    server.reset();
    const hooks = await runLoad(job(refs, DURATION_SEC));
    loopDelay.disable();
    const handled = summarize(server.read().handled);
    await sleep(BACKLOG_CHECK_MS);
    const rows = paymentCredits(databaseUrl, since);
    const after = { payments: rows.length, open: rows.filter((r) => r.done === null).length };
    const credit = summarize(rows.flatMap((r) => (r.done === null ? [] : [r.done - r.observed])));
    const all2xx = hooks.count2xx === RATE * DURATION_SEC && hooks.non2xx === 0 && hooks.errors === 0;
    const notes: string[] = [];
    if (!all2xx) notes.push(`Answers by status: ${JSON.stringify(hooks.statusCodes)}; errors ${hooks.errors}.`);
    notes.push(
      `The server's own handling p99 was ${ms(handled.p99)}; the rest of the client-side p99 is waiting before the server reads the request: ` +
        `its event loop stalled up to ${ms(loopDelay.max / 1e6)} (p99 ${ms(loopDelay.percentile(99) / 1e6)}), and this 2-core machine runs the sender, the server with its panel simulator and fake Telegram, and SQLite's WAL syncs at once. ` +
        `Payment → credit adds a claim, the panel call and a group-committed finish to the same stalls.`,
    );
    if ((hooks.behindMs ?? 0) > 5) notes.push(`The sender itself fell up to ${ms(hooks.behindMs ?? 0)} behind its schedule (those requests were still timed from when they were due).`);
    return {
      name: "webhook-even-rate",
      title: "Webhook ingest at an even rate (open loop)",
      method: [
        `startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator in the same process, fake Telegram), SQLite temp file, LOG_LEVEL silent; crediter, notifier, poller and bot running; CREDIT_CONCURRENCY = PANEL_MAX_CONNECTIONS = ${CREDIT_SLOTS}.`,
        `${(refs.length + warmRefs.length).toLocaleString("en-US")} pending top-ups (one customer each) inserted directly.`,
        `Open-loop sender in its own process (bench/support/even-rate.ts, undici pool of up to ${CONNECTIONS} connections, ${WARM_CONNECTIONS} opened before each phase as a provider's keep-alive pool would be): request i is sent at start + i/${RATE} s whatever the answers do; latency runs from when it was due. ${WARMUP_SEC} s warm-up on other top-ups, 2 s pause, then ${DURATION_SEC} s measured.`,
        `Payment → credit from the database: credit doneAt − payment observedAt for every payment of the measured window; backlog = credits not DONE ${BACKLOG_CHECK_MS / 1000} s after the last request was answered.`,
      ],
      figures: [
        { label: "Requests sent / 2xx / non-2xx / errors", value: `${hooks.built.toLocaleString("en-US")} / ${hooks.count2xx.toLocaleString("en-US")} / ${hooks.non2xx} / ${hooks.errors}` },
        { label: "Achieved rate (2xx)", value: perSec(hooks.count2xx / hooks.durationSec) },
        { label: "Webhook latency from due time p50 / p90 / p99 / max", value: `${ms(hooks.latency.p50)} / ${ms(hooks.latency.p90)} / ${ms(hooks.latency.p99)} / ${ms(hooks.latency.max)}` },
        { label: "Server-side handling p50 / p99 / max (request received → answer written)", value: `${ms(handled.p50)} / ${ms(handled.p99)} / ${ms(handled.max)}` },
        { label: "Server event-loop delay p50 / p99 / max (while under load)", value: `${ms(loopDelay.percentile(50) / 1e6)} / ${ms(loopDelay.percentile(99) / 1e6)} / ${ms(loopDelay.max / 1e6)}` },
        { label: "Payments recorded in the window", value: after.payments.toLocaleString("en-US") },
        { label: "Payment → credit p50 / p99 / max", value: `${ms(credit.p50)} / ${ms(credit.p99)} / ${ms(credit.max)}` },
        { label: `Credits not done ${BACKLOG_CHECK_MS / 1000} s after the load`, value: num(after.open, 0) },
      ],
      targets: [
        { label: "Every answer 2xx", target: `${(RATE * DURATION_SEC).toLocaleString("en-US")} of ${(RATE * DURATION_SEC).toLocaleString("en-US")}`, measured: hooks.count2xx.toLocaleString("en-US"), met: all2xx },
        { label: "Webhook p99 (from due time)", target: "≤ 20 ms", measured: ms(hooks.latency.p99), met: hooks.latency.p99 <= 20 },
        { label: "Payment → credit p99", target: "≤ 50 ms", measured: ms(credit.p99), met: credit.p99 <= 50 },
        { label: "Backlog 1 s after the load", target: "0", measured: num(after.open, 0), met: after.open === 0 },
      ],
      notes,
    };
  } finally {
    server.restore();
    await bench.close();
  }
}
