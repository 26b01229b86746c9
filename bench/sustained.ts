/**
 * The headline: the highest rate at which payments are both recorded and credited with the credit backlog
 * flat, for one merchant on SQLite against the sandbox panel simulator. An open-loop even rate is stepped up
 * until the backlog of uncredited payments grows (or ingest falls behind); next to it, ingest alone (closed
 * loop, crediter running) on the same application, and receipts per second against Telegram's per-bot limit,
 * which the fake Telegram enforces here. The panel simulator answers from a process of its own, as a real panel is
 * another server: answering on the application's main thread, it answered only when ingest left that event loop a turn,
 * and the crediter's adaptive limit read that wait as the panel's load. SUSTAINED_RUNS, SUSTAINED_FROM (first offered
 * rate) and SUSTAINED_WINDOW_SEC shorten a run.
 */
import type { EventLoopUtilization } from "node:perf_hooks";
import { SANDBOX_ADMIN_CHAT, SANDBOX_PANEL_API_KEY } from "../sandbox/start-sandbox.js";
import { startBaselineServer } from "./support/baseline-server.js";
import { openBacklogReader, slopePerSecond, type BacklogSample } from "./support/backlog.js";
import { paymentCredits } from "./support/credit-times.js";
import { references, seedTopUps, startBenchApp, type BenchApp } from "./support/fixtures.js";
import { runLoad, type LoadResult } from "./support/load.js";
import { startPanelProcess } from "./support/panel-process.js";
import { formatSpread, spread, spreadOf } from "./support/repeat.js";
import { ms, num, pct, perSec, sleep, summarize, type BenchResult } from "./support/result.js";
import { recordBotMessages, type SentMessage } from "./support/telegram-log.js";

const RUNS = Number(process.env.SUSTAINED_RUNS ?? 3);
/** Each step sends for LEAD_SEC + WINDOW_SEC; only the last WINDOW_SEC are judged. */
const LEAD_SEC = 2;
const WINDOW_SEC = Number(process.env.SUSTAINED_WINDOW_SEC ?? 10);
/** Offered rates, climbed in order: fine steps where a loaded machine lands, 250/s around the 1,500/s target. */
const LADDER = [100, 200, 300, 400, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 3_500, 4_000, 5_000].filter(
  (rate) => rate >= Number(process.env.SUSTAINED_FROM ?? 0),
);
const FIRST_RATE = LADDER[0]!;
/** Runs after the first start this many steps below the first run's highest flat rate. */
const RESTART_STEPS_BELOW = 2;
const SAMPLE_EVERY_MS = 500;
/** Flat: the backlog grows by less than this share of the offered rate per second (credits keep ≥ 98 % of the pace). */
const FLAT_SLOPE_SHARE = 0.02;
/** Ingest keeps up: payments recorded in the window at ≥ this share of the offered rate. */
const KEEP_UP_SHARE = 0.97;
const DRAIN_CAP_MS = 30_000;
const SENDER_CONNECTIONS = 256;
const WARM_CONNECTIONS = 64;
const INGEST_CONNECTIONS = 50;
const INGEST_SEC = 10;
const INGEST_REFS = 80_000;
/** Telegram lets one bot send about 30 messages a second to different chats; the fake holds the bot to it. */
const TELEGRAM_PER_BOT = 30;

interface Step {
  rate: number;
  hooks: LoadResult;
  recordedRate: number;
  creditedRate: number;
  slope: number;
  backlogMean: number;
  backlogMax: number;
  flat: boolean;
  why: string;
  receiptsPerSec: number;
  refused429: number;
  creditP50: number;
  creditP99: number;
  drainedMs: number | null;
  /** The crediter's concurrency limit (khqr_crediter_concurrency_limit) read every sample in the window: mean and lowest. */
  limitMean: number;
  limitMin: number;
  /** Share of the window the main thread's event loop was busy (ingest; the crediting thread is apart). */
  mainBusy: number;
}

interface Run {
  steps: Step[];
  best: Step | undefined;
  firstFailed: Step | undefined;
  ingest: { rate: number; creditRate: number; p99: number };
  /** The trivial Hono server's answers/s for the same signed POSTs, closed loop, in this run. */
  baseline: number;
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const crediterState = (s: Step) => `crediter limit mean ${num(s.limitMean, 1)} (lowest ${num(s.limitMin, 0)}), main thread busy ${pct(s.mainBusy)}`;
const receiptText = (v: number) => `${num(v, 1)} /s`;

/** Customer receipts (not the admin chat) the fake Telegram stored between `from` and `to`. */
function receiptsBetween(messages: readonly SentMessage[], from: number, to: number): number {
  return messages.filter((m) => m.chatId !== SANDBOX_ADMIN_CHAT && m.at >= from && m.at < to && m.text.startsWith("✅")).length;
}

/** The crediter's concurrency limit as /metrics shows it. */
async function concurrencyLimit(appUrl: string): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  return Number(/^khqr_crediter_concurrency_limit (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function step(bench: BenchApp, messages: readonly SentMessage[], index: number, rate: number): Promise<Step> {
  const { app, config, databaseUrl, sandbox } = bench;
  const rp = config.providers.raksmeypay!;
  const total = rate * (LEAD_SEC + WINDOW_SEC);
  const refs = references(total, String(260_000 + index));
  const firstChat = 800_000_000n + BigInt(index) * 1_000_000n;
  seedTopUps(databaseUrl, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: firstChat, userPerTopUp: true });
  // Telegram only delivers to private chats that exist; the customers never write, so their chats are made directly.
  for (let i = 0; i < total; i++) sandbox.bot.state.privateChat({ id: Number(firstChat) + i, is_bot: false, first_name: "Bench" });

  const reader = openBacklogReader(databaseUrl);
  const samples: BacklogSample[] = [];
  const limits: { at: number; value: Promise<number> }[] = [];
  const take = () => {
    samples.push(reader.sample());
    limits.push({ at: Date.now(), value: concurrencyLimit(app.url).catch(() => Number.NaN) });
  };
  let sampling: ReturnType<typeof setInterval> | undefined;
  let startedAt = 0;
  let elu: { at: number; value: EventLoopUtilization }[] = [];
  try {
    const hooks = await runLoad(
      {
        kind: "webhooks", url: app.url, path: "/webhooks/raksmeypay", refs, profileId: rp.profileId, profileKey: rp.profileKey,
        webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: SENDER_CONNECTIONS, warmConnections: WARM_CONNECTIONS,
        durationSec: LEAD_SEC + WINDOW_SEC, evenRate: rate,
      },
      () => {
        startedAt = Date.now();
        take();
        sampling = setInterval(() => {
          take();
          elu.push({ at: Date.now(), value: performance.eventLoopUtilization() });
        }, SAMPLE_EVERY_MS);
      },
    );
    clearInterval(sampling);
    const windowStart = startedAt + LEAD_SEC * 1000;
    const windowEnd = windowStart + WINDOW_SEC * 1000;
    const inWindow = samples.filter((s) => s.at >= windowStart && s.at <= windowEnd);
    const limitValues = (await Promise.all(limits.filter((l) => l.at >= windowStart && l.at <= windowEnd).map((l) => l.value))).filter((v) => !Number.isNaN(v));
    elu = elu.filter((e) => e.at >= windowStart && e.at <= windowEnd);
    const mainBusy = elu.length >= 2 ? performance.eventLoopUtilization(elu.at(-1)!.value, elu[0]!.value).utilization : Number.NaN;
    const first = inWindow[0];
    const last = inWindow.at(-1);
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    const recorded = first && last ? last.lastPaymentId - first.lastPaymentId : 0;
    const recordedRate = seconds > 0 ? recorded / seconds : 0;
    const creditedRate = seconds > 0 && first && last ? (recorded - (last.backlog - first.backlog)) / seconds : 0;
    const slope = slopePerSecond(inWindow.map((s) => ({ at: s.at, value: s.backlog })));
    const backlog = inWindow.map((s) => s.backlog);
    const all2xx = hooks.count2xx === total && hooks.non2xx === 0 && hooks.errors === 0;
    const keptUp = recordedRate >= KEEP_UP_SHARE * rate;
    const flatBacklog = slope <= FLAT_SLOPE_SHARE * rate;
    const why = !all2xx
      ? `${count(total - hooks.count2xx)} webhooks not answered 2xx (by status ${JSON.stringify(hooks.statusCodes)}, ${hooks.errors} errors)`
      : !keptUp
        ? `payments recorded at ${perSec(recordedRate)}, under ${pct(KEEP_UP_SHARE)} of the offered rate`
        : !flatBacklog
          ? `credit backlog grew ${num(slope, 0)}/s (credits at ${perSec(creditedRate)})`
          : "flat";

    // Drain before the next step, so each step starts with no backlog.
    const drainStart = Date.now();
    let drainedMs: number | null = null;
    while (Date.now() - drainStart < DRAIN_CAP_MS) {
      if (reader.sample().backlog === 0) {
        drainedMs = Date.now() - drainStart;
        break;
      }
      await sleep(250);
    }
    const rows = first && last ? paymentCredits(databaseUrl, first.lastPaymentId, last.lastPaymentId) : [];
    const credit = summarize(rows.flatMap((r) => (r.done === null ? [] : [r.done - r.observed])));
    const calls = sandbox.bot.calls().filter((c) => c.at >= windowStart && c.at < windowEnd);
    return {
      rate, hooks, recordedRate, creditedRate, slope,
      backlogMean: backlog.reduce((a, b) => a + b, 0) / Math.max(1, backlog.length),
      backlogMax: Math.max(0, ...backlog),
      flat: all2xx && keptUp && flatBacklog,
      why,
      receiptsPerSec: receiptsBetween(messages, windowStart, windowEnd) / WINDOW_SEC,
      refused429: calls.filter((c) => c.status === 429).length,
      creditP50: credit.p50,
      creditP99: credit.p99,
      drainedMs,
      limitMean: limitValues.reduce((a, b) => a + b, 0) / Math.max(1, limitValues.length),
      limitMin: Math.min(...limitValues),
      mainBusy,
    };
  } finally {
    clearInterval(sampling);
    reader.close();
  }
}

/** Closed loop at the ingest bench's settings on the same application: how fast payments are recorded alone. */
async function ingestAlone(bench: BenchApp): Promise<Run["ingest"]> {
  const { app, config, databaseUrl } = bench;
  const rp = config.providers.raksmeypay!;
  const refs = references(INGEST_REFS, "259999");
  seedTopUps(databaseUrl, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: 790_000_000n });
  const reader = openBacklogReader(databaseUrl);
  try {
    const before = reader.sample();
    const doneBefore = reader.creditsDone();
    const hooks = await runLoad({
      kind: "webhooks", url: app.url, path: "/webhooks/raksmeypay", refs, profileId: rp.profileId, profileKey: rp.profileKey,
      webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: INGEST_CONNECTIONS, durationSec: INGEST_SEC,
    });
    const recorded = reader.sample().lastPaymentId - before.lastPaymentId;
    const credited = reader.creditsDone() - doneBefore;
    return { rate: Math.min(recorded, hooks.count2xx) / hooks.durationSec, creditRate: credited / hooks.durationSec, p99: hooks.latency.p99 };
  } finally {
    reader.close();
  }
}

/** The same signed POSTs, closed loop, against the trivial Hono server in this process while the application is idle. */
async function baselineRate(bench: BenchApp): Promise<number> {
  const rp = bench.config.providers.raksmeypay!;
  const server = await startBaselineServer(rp.webhookApiKey);
  try {
    const load = await runLoad({
      kind: "webhooks", url: server.url, path: server.path, refs: references(20_000, "259998"), profileId: rp.profileId, profileKey: rp.profileKey,
      webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections: INGEST_CONNECTIONS, durationSec: INGEST_SEC,
    });
    return load.rps2xx;
  } finally {
    await server.close();
  }
}

async function measure(firstStep: number): Promise<Run> {
  const panel = await startPanelProcess({ apiKey: SANDBOX_PANEL_API_KEY, slowMs: 0 });
  const bench = await startBenchApp("sustained", { providers: ["raksmeypay"], env: { PANEL_URL: panel.url } }).catch((err: unknown) => {
    panel.close();
    throw err;
  });
  bench.sandbox.bot.limitMessagesPerSecond(TELEGRAM_PER_BOT);
  const log = recordBotMessages(bench.sandbox.bot);
  try {
    const baseline = await baselineRate(bench);
    const steps: Step[] = [];
    for (let i = firstStep; i < LADDER.length; i++) {
      const rate = LADDER[i]!;
      const s = await step(bench, log.messages, i, rate);
      steps.push(s);
      console.log(`  sustained: ${perSec(rate)} offered → ${s.flat ? "flat" : s.why}; recorded ${perSec(s.recordedRate)}, credited ${perSec(s.creditedRate)}, backlog slope ${num(s.slope, 1)}/s`);
      if (!s.flat || s.drainedMs === null) break;
    }
    const best = steps.filter((s) => s.flat).at(-1);
    const firstFailed = steps.find((s) => !s.flat);
    const ingest = await ingestAlone(bench);
    return { steps, best, firstFailed, ingest, baseline };
  } finally {
    log.stop();
    await bench.close();
    panel.close();
  }
}

export async function run(): Promise<BenchResult> {
  const runs: Run[] = [await measure(0)];
  const restartStep = Math.max(0, LADDER.indexOf(runs[0]!.best?.rate ?? FIRST_RATE) - RESTART_STEPS_BELOW);
  const restart = LADDER[restartStep]!;
  for (let i = 1; i < RUNS; i++) runs.push(await measure(restartStep));

  const sustained = spread(runs, (r) => r.best?.rate ?? 0);
  /** A run with no flat step counts as 0 in the median; shown as below the first step. */
  const rateText = (v: number) => (v === 0 ? `< ${perSec(FIRST_RATE)}` : perSec(v));
  const sustainedText = sustained.runs.length > 0 ? formatSpread(sustained, rateText) : "";
  const ingest = spread(runs, (r) => r.ingest.rate);
  const ingestCredits = spread(runs, (r) => r.ingest.creditRate);
  const atBest = runs.flatMap((r) => (r.best ? [r.best] : []));
  const fromBest = (pick: (s: Step) => number) => spreadOf(atBest.map(pick));
  const atBestText = (pick: (s: Step) => number, format: (v: number) => string) => (atBest.length === 0 ? "no flat step" : formatSpread(fromBest(pick), format));
  const receipts = fromBest((s) => s.receiptsPerSec);
  const ratio = spreadOf(runs.map((r) => (r.best?.rate ?? 0) / r.ingest.rate));
  const baseline = spread(runs, (r) => r.baseline);
  const ofBaseline = spreadOf(runs.map((r) => (r.best?.rate ?? 0) / r.baseline));
  const met = sustained.median >= 1_500;
  const failures = runs.map((r, i) => `run ${i + 1}: ${r.firstFailed ? `${perSec(r.firstFailed.rate)}: ${r.firstFailed.why}; ${crediterState(r.firstFailed)}` : `none up to ${perSec(LADDER.at(-1)!)}`}`);
  const refused = atBest.reduce((a, s) => a + s.refused429, 0);

  const notes: string[] = [
    `Sustained (recorded and credited, backlog flat) ${rateText(sustained.median)} against ${perSec(ingest.median)} for ingest alone on the same application in the same runs (${pct(ratio.median)}); ` +
      `during ingest alone credits were applied at ${formatSpread(ingestCredits, perSec)}, so the closed-loop ingest figure builds a backlog and is not a rate the money path can hold.`,
    `What ended each ladder (the first step that was not flat) — ${failures.join("; ")}. ` +
      `At the highest flat steps: ${atBest.length === 0 ? "none" : atBest.map(crediterState).join("; ")}.`,
  ];
  if (atBest.length > 0) {
    notes.push(
      `Receipts at the highest flat step: ${formatSpread(receipts, receiptText)} against Telegram's ~${TELEGRAM_PER_BOT} messages/s for one bot (the fake refused ${refused} sends with 429 in those windows). ` +
        (receipts.median >= 0.9 * TELEGRAM_PER_BOT
          ? `Receipts ran at Telegram's limit, not the money path's pace: at ${perSec(sustained.median)} one bot's receipt queue grows by about ${perSec(Math.max(0, sustained.median - receipts.median))}; receipts at this scale need many bots.`
          : `Receipts ran below Telegram's limit while payments arrived faster, so here the notifier, not Telegram, set their pace.`),
    );
  }
  if (!met) notes.push(`Target ≥ 1,500/s missed: the median highest flat rate was ${rateText(sustained.median)}; the measured reason is the first failing step of each run above.`);
  if (runs.some((r) => r.steps.some((s) => s.drainedMs === null))) notes.push(`A step's backlog did not drain within ${DRAIN_CAP_MS / 1000} s in some run; that ladder stopped there.`);

  const ladder = runs.map((r, i) => ({
    label: `Run ${i + 1}: offered rate → backlog slope (/s), credited /s, crediter limit mean, main thread busy`,
    value: r.steps.map((s) => `${num(s.rate, 0)}: ${num(s.slope, 0)}, ${num(s.creditedRate, 0)}, ${num(s.limitMean, 0)}, ${pct(s.mainBusy)}${s.flat ? "" : " ✗"}`).join(" · "),
  }));

  return {
    name: "sustained",
    title: "Sustained money path: recorded and credited, one merchant",
    method: [
      `startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator in a process of its own (bench/support/panel-process.ts), as a real panel is another server, fake Telegram holding the bot to ${TELEGRAM_PER_BOT} messages/s: sends over it are answered 429 with retry_after), SQLite temp file, LOG_LEVEL silent, default settings (no CREDIT_CONCURRENCY or PANEL_MAX_CONNECTIONS set); crediter, notifier, poller and bot running.`,
      `Ladder: an open-loop even rate (bench/support/even-rate.ts, own process, up to ${SENDER_CONNECTIONS} connections, ${WARM_CONNECTIONS} opened first) climbing ${LADDER.join(", ")} /s; each step sends ${LEAD_SEC + WINDOW_SEC} s of distinct signed webhooks for fresh pending top-ups (one customer and chat each) and is judged on its last ${WINDOW_SEC} s. After each step the credit backlog drains to 0 (cap ${DRAIN_CAP_MS / 1000} s) before the next.`,
      `Every ${SAMPLE_EVERY_MS} ms a read-only connection in the bench process reads the highest payment id and the credits not yet applied (QUEUED, SENDING, RECONCILE), and /metrics is read for the crediter's concurrency limit; the main thread's event-loop utilisation is taken over the window. A step is flat when every webhook was answered 2xx, payments were recorded in the window at ≥ ${pct(KEEP_UP_SHARE)} of the offered rate, and the least-squares slope of the backlog over the window is ≤ ${pct(FLAT_SLOPE_SHARE)} of the offered rate per second. The sustained rate is the highest flat step before the first step that is not.`,
      `Credited rate in the window = (payments recorded − backlog growth) ÷ window. Receipts = customer messages starting "✅" the fake Telegram stored in the window.`,
      `Baseline, first in each run while the application is idle: the same signed POSTs, closed loop, ${INGEST_CONNECTIONS} connections, ${INGEST_SEC} s, against bench/support/baseline-server.ts (a trivial Hono server in the same process checking one HMAC-SHA1 of the raw body).`,
      `Ingest alone: then, on the same application, autocannon closed loop, ${INGEST_CONNECTIONS} connections, ${INGEST_SEC} s (as bench/webhook-ingest.ts), crediter running.`,
      `${RUNS} runs, each on a fresh application and database; run 1 climbs from ${FIRST_RATE}/s, runs 2–${RUNS} from ${RESTART_STEPS_BELOW} steps below run 1's result (${perSec(restart)}). Figures are medians of the runs with the lowest and highest in brackets.`,
    ],
    figures: [
      { label: "Sustained: highest offered rate with every payment recorded and the credit backlog flat", value: sustainedText },
      { label: "Ingest alone (closed loop, crediter running), same application", value: formatSpread(ingest, perSec) },
      { label: "Credits applied/s during ingest alone", value: formatSpread(ingestCredits, perSec) },
      { label: "Sustained / ingest alone", value: formatSpread(ratio, pct) },
      { label: "Trivial Hono server, same signed POSTs, closed loop (baseline, same run)", value: formatSpread(baseline, perSec) },
      { label: "Sustained / baseline; ingest alone / baseline", value: `${formatSpread(ofBaseline, pct)}; ${formatSpread(spreadOf(runs.map((r) => r.ingest.rate / r.baseline)), pct)}` },
      { label: "At the highest flat step: payments recorded /s / credited /s", value: `${atBestText((s) => s.recordedRate, perSec)} / ${atBestText((s) => s.creditedRate, perSec)}` },
      { label: "At the highest flat step: credit backlog mean / max", value: `${atBestText((s) => s.backlogMean, count)} / ${atBestText((s) => s.backlogMax, count)}` },
      { label: "At the highest flat step: webhook p99 from due time / payment → credit p50 / p99", value: `${atBestText((s) => s.hooks.latency.p99, ms)} / ${atBestText((s) => s.creditP50, ms)} / ${atBestText((s) => s.creditP99, ms)}` },
      { label: `Receipts /s at the highest flat step (Telegram: ~${TELEGRAM_PER_BOT} /s per bot)`, value: atBestText((s) => s.receiptsPerSec, receiptText) },
      ...ladder,
    ],
    targets: [
      { label: "Sustained money path, one merchant (record + credit, backlog flat)", target: "≥ 1,500 /s", measured: sustainedText, met },
      { label: "Ingest alone (closed loop), same run", target: "stated", measured: formatSpread(ingest, perSec), met: true },
      { label: `Receipts per second against Telegram's per-bot limit`, target: `stated (≤ ${TELEGRAM_PER_BOT} /s)`, measured: atBestText((s) => s.receiptsPerSec, receiptText), met: true },
    ],
    notes,
  };
}
