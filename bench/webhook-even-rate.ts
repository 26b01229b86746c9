/**
 * Webhook ingest at an even rate (open loop): the whole application on a temp SQLite file receives
 * 1,000 distinct signed RaksmeyPay webhooks a second for 10 s, one every millisecond, each timed from
 * when it was due. Then: how long payment → credit took, whether a backlog was left behind, and how
 * much WAL each payment wrote; 3 runs with synchronous = FULL (production) interleaved with 3 at NORMAL.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { SANDBOX_CUSTOMER } from "../sandbox/start-sandbox.js";
import { lastPaymentId, paymentCredits } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp } from "./support/fixtures.js";
import { runLoad } from "./support/load.js";
import { watchServer } from "./support/server-timing.js";
import { ms, num, perSec, sleep, summarize, type BenchResult } from "./support/result.js";
import { commitWithNormalSync, type Synchronous } from "./support/sqlite-sync.js";
import { CHECKPOINT_EVERY_MS } from "../src/db/sqlite-checkpointer.js";
import { WAL_LIMIT_FRAMES } from "../src/db/sqlite-pragmas.js";
import { formatSpread, spread } from "./support/repeat.js";

const RATE = 1_000;
const DURATION_SEC = 10;
const WARMUP_SEC = 2;
const RUNS = Number(process.env.EVEN_RATE_RUNS ?? 3);
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

/** One measured run on a fresh application and database, its connections committing with `synchronous`. */
async function measure(synchronous: Synchronous) {
  const server = watchServer("/webhooks/");
  const restoreSync = synchronous === "NORMAL" ? commitWithNormalSync() : () => undefined;
  const bench = await startBenchApp("even", { providers: ["raksmeypay"], env: BENCH_ENV });
  const { app, config, databaseUrl } = bench;
  try {
    const [row] = await app.database.db.$queryRawUnsafe<{ synchronous: bigint }[]>("PRAGMA synchronous");
    const readBack = ["OFF", "NORMAL", "FULL", "EXTRA"][Number(row!.synchronous)];
    if (readBack !== synchronous) throw new Error(`asked for synchronous = ${synchronous}, the connection runs ${readBack}`);
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
    const walBefore = app.database.checkpointer!.stats();
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    server.reset();
    const hooks = await runLoad(job(refs, DURATION_SEC));
    loopDelay.disable();
    const handled = summarize(server.read().handled);
    await sleep(BACKLOG_CHECK_MS);
    const rows = paymentCredits(databaseUrl, since);
    // One more checkpointer tick, so every frame of the window has been counted.
    await sleep(CHECKPOINT_EVERY_MS * 2);
    const walAfter = app.database.checkpointer!.stats();
    const after = { payments: rows.length, open: rows.filter((r) => r.done === null).length };
    const credit = summarize(rows.flatMap((r) => (r.done === null ? [] : [r.done - r.observed])));
    const wal = {
      bytesPerPayment: (walAfter.walBytesWritten - walBefore.walBytesWritten) / Math.max(after.payments, 1),
      checkpoints: walAfter.checkpoints - walBefore.checkpoints,
      restarts: walAfter.restarts - walBefore.restarts,
      largestFrames: walAfter.walFramesMax,
    };
    return { hooks, handled, loopDelay: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }, after, credit, wal };
  } finally {
    server.restore();
    await bench.close();
    restoreSync();
  }
}

export async function run(): Promise<BenchResult> {
  // FULL and NORMAL interleaved, so a change in the machine's load falls on both alike.
  const full: Measured[] = [];
  const normal: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    full.push(await measure("FULL"));
    normal.push(await measure("NORMAL"));
  }
  const f = (pick: (m: Measured) => number) => spread(full, pick);
  const side = (pick: (m: Measured) => number, format: (v: number) => string) => `${formatSpread(spread(full, pick), format)} | ${formatSpread(spread(normal, pick), format)}`;
  const total = RATE * DURATION_SEC;
  const all2xx = (m: Measured) => m.hooks.count2xx === total && m.hooks.non2xx === 0 && m.hooks.errors === 0;
  const webhookP99 = f((m) => m.hooks.latency.p99);
  const creditP99 = f((m) => m.credit.p99);
  const handledP99 = f((m) => m.handled.p99);
  const loopMax = f((m) => m.loopDelay.max);
  const walPer = f((m) => m.wal.bytesPerPayment);
  const walMax = Math.max(...full.map((m) => m.wal.largestFrames));
  const backlog = f((m) => m.after.open);
  const notes: string[] = [];
  const bad = full.filter((m) => !all2xx(m));
  if (bad.length > 0) notes.push(`Not every answer was 2xx in ${bad.length} of ${RUNS} FULL runs: ${bad.map((m) => `${JSON.stringify(m.hooks.statusCodes)}, ${m.hooks.errors} errors`).join("; ")}.`);
  notes.push(
    `Webhook p99 from due time ${ms(webhookP99.median)} against the server's own handling p99 ${ms(handledP99.median)} (request event → answer written); the rest is time before the handler runs (in the sender's queue while all its connections wait for answers, in the socket, in the event loop), not measured apart here. ` +
      `The server's event loop was delayed up to ${formatSpread(loopMax, ms)} (p99 ${formatSpread(f((m) => m.loopDelay.p99), ms)}); what held it is not measured here.`,
    `WAL checkpoints ran on the checkpointer's thread (src/db/sqlite-checkpointer.ts): ${formatSpread(f((m) => m.wal.checkpoints), count)} in the window, ${formatSpread(f((m) => m.wal.restarts), count)} restarting the WAL; ` +
      `the largest WAL it saw at its ${CHECKPOINT_EVERY_MS} ms ticks was ${count(walMax)} frames, ${walMax < WAL_LIMIT_FRAMES ? "below" : "not below"} the ${count(WAL_LIMIT_FRAMES)} frames at which a connection's own auto-checkpoint would copy pages inside a commit on the event loop.`,
    `synchronous = NORMAL against FULL, interleaved runs: webhook p99 ${formatSpread(spread(normal, (m) => m.hooks.latency.p99), ms)} against ${formatSpread(webhookP99, ms)}, ` +
      `payment → credit p99 ${formatSpread(spread(normal, (m) => m.credit.p99), ms)} against ${formatSpread(creditP99, ms)}. FULL stays: with NORMAL a power loss can undo commits already answered 200.`,
  );
  const behind = Math.max(...full.map((m) => m.hooks.behindMs ?? 0));
  if (behind > 5) notes.push(`The sender itself fell up to ${ms(behind)} behind its schedule in a FULL run (those requests were still timed from when they were due).`);
  return {
    name: "webhook-even-rate",
    title: "Webhook ingest at an even rate (open loop)",
    method: [
      `startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator in the same process, fake Telegram), SQLite temp file, LOG_LEVEL silent; crediter, notifier, poller and bot running; CREDIT_CONCURRENCY = PANEL_MAX_CONNECTIONS = ${CREDIT_SLOTS}.`,
      `${((RATE * DURATION_SEC) + RATE * WARMUP_SEC).toLocaleString("en-US")} pending top-ups (one customer each) inserted directly.`,
      `Open-loop sender in its own process (bench/support/even-rate.ts, undici pool of up to ${CONNECTIONS} connections, ${WARM_CONNECTIONS} opened before each phase as a provider's keep-alive pool would be): request i is sent at start + i/${RATE} s whatever the answers do; latency runs from when it was due. ${WARMUP_SEC} s warm-up on other top-ups, 2 s pause, then ${DURATION_SEC} s measured.`,
      `Payment → credit from the database: credit doneAt − payment observedAt for every payment of the measured window; backlog = credits not DONE ${BACKLOG_CHECK_MS / 1000} s after the last request was answered.`,
      `WAL written per payment: bytes of the frames the checkpointer saw written from the window's start until the backlog check (each frame the database's page size, read from it, + 24 bytes), ÷ payments of the window (recording, credit claim and finish, notes queued; receipts are still being sent at Telegram's pace then).`,
      `${RUNS} runs with every connection at synchronous = FULL (production) interleaved with ${RUNS} at NORMAL (bench/support/sqlite-sync.ts), each on a fresh application and database; figures are medians of the runs with the lowest and highest in brackets, targets judged on the FULL medians.`,
    ],
    figures: [
      { label: "Requests sent / 2xx / non-2xx / errors (all FULL runs)", value: full.map((m) => `${count(m.hooks.built)} / ${count(m.hooks.count2xx)} / ${m.hooks.non2xx} / ${m.hooks.errors}`).join("; ") },
      { label: "Achieved rate (2xx)", value: formatSpread(f((m) => m.hooks.count2xx / m.hooks.durationSec), perSec) },
      { label: "Webhook latency from due time p50 / p90 / p99 / max", value: `${formatSpread(f((m) => m.hooks.latency.p50), ms)} / ${formatSpread(f((m) => m.hooks.latency.p90), ms)} / ${formatSpread(webhookP99, ms)} / ${formatSpread(f((m) => m.hooks.latency.max), ms)}` },
      { label: "Server-side handling p50 / p99 / max (request event → answer written)", value: `${formatSpread(f((m) => m.handled.p50), ms)} / ${formatSpread(handledP99, ms)} / ${formatSpread(f((m) => m.handled.max), ms)}` },
      { label: "Server event-loop delay p50 / p99 / max (while under load)", value: `${formatSpread(f((m) => m.loopDelay.p50), ms)} / ${formatSpread(f((m) => m.loopDelay.p99), ms)} / ${formatSpread(loopMax, ms)}` },
      { label: "Payments recorded in the window", value: formatSpread(f((m) => m.after.payments), count) },
      { label: "Payment → credit p50 / p99 / max", value: `${formatSpread(f((m) => m.credit.p50), ms)} / ${formatSpread(creditP99, ms)} / ${formatSpread(f((m) => m.credit.max), ms)}` },
      { label: `Credits not done ${BACKLOG_CHECK_MS / 1000} s after the load`, value: formatSpread(backlog, count) },
      { label: "WAL written per payment", value: formatSpread(walPer, kib) },
      { label: "synchronous FULL | NORMAL: webhook p50 / p99", value: `${side((m) => m.hooks.latency.p50, ms)} / ${side((m) => m.hooks.latency.p99, ms)}` },
      { label: "synchronous FULL | NORMAL: payment → credit p50 / p99", value: `${side((m) => m.credit.p50, ms)} / ${side((m) => m.credit.p99, ms)}` },
      { label: "synchronous FULL | NORMAL: server handling p99 / event-loop delay p99", value: `${side((m) => m.handled.p99, ms)} / ${side((m) => m.loopDelay.p99, ms)}` },
      { label: "synchronous FULL | NORMAL: WAL written per payment", value: side((m) => m.wal.bytesPerPayment, kib) },
    ],
    targets: [
      { label: "Every answer 2xx", target: `${count(total)} of ${count(total)} in every run`, measured: formatSpread(f((m) => m.hooks.count2xx), count), met: full.every(all2xx) },
      { label: "Webhook p99 (from due time)", target: "≤ 20 ms", measured: formatSpread(webhookP99, ms), met: webhookP99.median <= 20 },
      { label: "Payment → credit p99", target: "≤ 50 ms", measured: formatSpread(creditP99, ms), met: creditP99.median <= 50 },
      { label: "Backlog 1 s after the load", target: "0", measured: formatSpread(backlog, count), met: backlog.median === 0 },
      { label: "WAL written per payment", target: "≤ 8 KiB", measured: formatSpread(walPer, kib), met: walPer.median <= 8 * 1024 },
    ],
    notes,
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;
const count = (n: number) => Math.round(n).toLocaleString("en-US");
const kib = (bytes: number) => `${num(bytes / 1024, 1)} KiB`;
