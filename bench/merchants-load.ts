/**
 * A platform under load (issue 22): an even 500 Telegram updates/s and 500 provider webhooks/s, sent all to one
 * merchant, then spread over every merchant, on one process serving them all; then verified webhooks/s closed-loop,
 * the same two ways. Side by side in one run, phases interleaved. BENCH_MERCHANTS (default 1,000),
 * BENCH_SECONDS (default 10) and BENCH_RUNS (default 3) size it.
 */
import { loadConfig } from "../src/config/config.js";
import { startApplication, type Application } from "../src/main.js";
import { readMasterKey } from "../src/platform/master-key.js";
import { startSandbox } from "../sandbox/start-sandbox.js";
import { references, seedTopUps, silentLog, stopApp, tempSqlite } from "./support/fixtures.js";
import { runLoad, type LoadResult, type PreparedRequest } from "./support/load.js";
import { benchMerchantVars, newMasterKey, seedMerchants, type SeededMerchant } from "./support/platform-merchants.js";
import { signedWebhooks } from "./support/raksmeypay-webhooks.js";
import { formatSpread, spread } from "./support/repeat.js";
import { ms, perSec, ratio, sleep, type BenchResult } from "./support/result.js";
import { startTelegramSink } from "./support/telegram-sink.js";

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const UPDATES_PER_SEC = 500;
const WEBHOOKS_PER_SEC = 500;
const CONNECTIONS = 256;
const WARM_CONNECTIONS = 64;
/** Closed loop: connections kept busy, and top-ups prepared for each phase (repeats are counted if they run out). */
const CLOSED_CONNECTIONS = 32;
const CLOSED_PREPARED_PER_SEC = 3_000;

type Spreading = "one" | "spread";

export async function run(): Promise<BenchResult> {
  const sink = await startTelegramSink();
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const file = tempSqlite("merchants-load");
  const master = newMasterKey();
  const rp = { url: sandbox.env.RAKSMEYPAY_BASE_URL!, profileId: sandbox.env.RAKSMEYPAY_PROFILE_ID!, profileKey: sandbox.env.RAKSMEYPAY_PROFILE_KEY!, webhookApiKey: sandbox.env.RAKSMEYPAY_WEBHOOK_API_KEY! };
  let app: Application | undefined;
  try {
    const merchants = await seedMerchants(file.url, master.key, MERCHANTS, (i) => ({ ...benchMerchantVars(i, { panelUrl: sandbox.panel.url, raksmeypay: rp }), PANEL_API_KEY: sandbox.env.PANEL_API_KEY! }));
    const env = {
      ...sandbox.env, DATABASE_URL: file.url, MASTER_KEY: master.env, TELEGRAM_API_ROOT: sink.apiRoot, BOT_MODE: "webhook", PUBLIC_URL: "http://127.0.0.1:9",
      TELEGRAM_WEBHOOK_SECRET: "bench-environment-secret", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent",
    };
    app = await startApplication(loadConfig(env, { sandbox: true }), { log: silentLog, platform: { masterKey: readMasterKey(env), processEnv: env } });
    const url = app.url;
    sandbox.connect(url);

    let prefix = 0;
    /** Paid top-ups for `count` webhooks, each of the merchant it will be sent to, seeded now; their signed requests. */
    const webhooks = (to: (i: number) => SeededMerchant, count: number): PreparedRequest[] => {
      const refs = references(count, String(300_000 + prefix++));
      const byMerchant = new Map<SeededMerchant, string[]>();
      refs.forEach((ref, i) => {
        const list = byMerchant.get(to(i)) ?? [];
        list.push(ref);
        byMerchant.set(to(i), list);
      });
      for (const [m, list] of byMerchant) seedTopUps(file.url, { provider: "raksmeypay", refs: list, amountMinor: 500, panelLogin: "dara", chatId: 600_000_000n, userPerTopUp: true, merchantId: m.id });
      const signed = signedWebhooks({ refs, ...rp, amount: "5.00", currency: "USD" });
      return signed.map((s, i) => ({ path: `/webhooks/raksmeypay/${to(i).routeKey}`, ...s }));
    };
    let updateId = 0;
    /** A press of an expired button in merchant m's bot by a user of its own (no chat waits on another). */
    const update = (m: SeededMerchant): PreparedRequest => {
      const id = ++updateId;
      const user = { id: 700_000_000 + id, is_bot: false, first_name: "Bench", language_code: "en" };
      const body = JSON.stringify({
        update_id: id,
        callback_query: { id: String(id), from: user, chat_instance: "bench", data: "bench:old-button", message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: user.id, type: "private", first_name: "Bench" }, text: "…" } },
      });
      return { path: `/telegram/${m.routeKey}`, body, headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": m.webhookSecret } };
    };
    const target = (how: Spreading) => (i: number) => (how === "one" ? merchants[0]! : merchants[i % merchants.length]!);

    const openLoop = async (how: Spreading): Promise<LoadResult> => {
      const perKind = UPDATES_PER_SEC * SECONDS;
      const hooks = webhooks(target(how), WEBHOOKS_PER_SEC * SECONDS);
      const to = target(how);
      // Alternating: an update, a webhook, an update…, 1,000 a second in all.
      const requests = hooks.flatMap((hook, i) => (i < perKind ? [update(to(i)), hook] : [hook]));
      const result = await runLoad({ kind: "requests", url, requests, connections: CONNECTIONS, warmConnections: WARM_CONNECTIONS, durationSec: SECONDS, evenRate: UPDATES_PER_SEC + WEBHOOKS_PER_SEC });
      await sleep(1_000);
      return result;
    };
    const closedLoop = async (how: Spreading): Promise<LoadResult> => {
      const requests = webhooks(target(how), CLOSED_PREPARED_PER_SEC * SECONDS);
      const result = await runLoad({ kind: "requests", url, requests, connections: CLOSED_CONNECTIONS, durationSec: SECONDS });
      await sleep(1_000);
      return result;
    };

    // Steady state: every merchant's bot had an update in the last BOT_IDLE_MS, so it is built (building 1,000 bots
    // during the measured seconds would be measured otherwise; bench/merchants.ts measures what that costs in memory).
    const warm = merchants.map((m) => update(m));
    await runLoad({ kind: "requests", url, requests: warm, connections: 16, durationSec: Math.max(5, Math.ceil(warm.length / 200)) });
    await sleep(1_000);
    const open: Record<Spreading, LoadResult[]> = { one: [], spread: [] };
    const closed: Record<Spreading, LoadResult[]> = { one: [], spread: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const how of r % 2 === 0 ? (["one", "spread"] as const) : (["spread", "one"] as const)) open[how].push(await openLoop(how));
      for (const how of r % 2 === 0 ? (["one", "spread"] as const) : (["spread", "one"] as const)) closed[how].push(await closedLoop(how));
    }

    const p99Ratio = spread(open.spread.map((s, i) => s.latency.p99 / open.one[i]!.latency.p99), (v) => v);
    // A phase that got no answer at all gives no ratio (NaN: the target is not met), not an infinite one.
    const rateRatio = spread(closed.spread.map((s, i) => (closed.one[i]!.rps2xx > 0 ? s.rps2xx / closed.one[i]!.rps2xx : Number.NaN)), (v) => v);
    const all2xx = (r: LoadResult) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0 && r.count2xx > 0;
    const latencies = (rs: LoadResult[]) => `${formatSpread(spread(rs, (r) => r.latency.p50), ms)} / ${formatSpread(spread(rs, (r) => r.latency.p99), ms)} / ${formatSpread(spread(rs, (r) => r.latency.max), ms)}`;
    const answers = (rs: LoadResult[]) => rs.map((r) => `${r.count2xx.toLocaleString("en-US")} / ${r.non2xx} / ${r.errors + r.timeouts}${r.repeats ? ` (${r.repeats} repeats)` : ""}`).join("; ");
    const credited = await app.database.db.credit.count({ where: { status: "DONE" } });
    return {
      name: "merchants-load",
      title: `A platform under load: one merchant against ${MERCHANTS.toLocaleString("en-US")}, the same total`,
      method: [
        `One process (startApplication as a platform, webhook mode, SQLite temp file, LOG_LEVEL silent, crediting and receipts on the crediting thread as on every SQLite platform) serving the environment's shop and ${MERCHANTS.toLocaleString("en-US")} merchants stored through the merchant store. Each merchant: its own bot token and secret_token, RaksmeyPay at /webhooks/raksmeypay/<key> (one simulator's credentials for all) and the sandbox's PerfectPanel.`,
        "Telegram is a sink answering every call at once (bench/support/telegram-sink.ts), in this process: the fake Telegram's per-bot limits would be measured instead. An update is the press of an expired button by a user of its own (session, user sync, conversations, the answer to Telegram); a webhook is a distinct signed RaksmeyPay payment of a top-up seeded for that merchant.",
        `Open loop (bench/support/even-rate.ts in its own process): ${UPDATES_PER_SEC} updates/s and ${WEBHOOKS_PER_SEC} webhooks/s, alternating, one request every ${1000 / (UPDATES_PER_SEC + WEBHOOKS_PER_SEC)} ms for ${SECONDS} s, latency from when each was due; "one": all to one merchant; "spread": merchant i mod ${MERCHANTS} for request i.`,
        `Closed loop: ${CLOSED_CONNECTIONS} connections sending signed webhooks as fast as they are answered for ${SECONDS} s (autocannon), to one merchant, then spread.`,
        "Before the phases, one update to every merchant's bot (closed loop), so that every bot is built as in a steady state where each had an update within BOT_IDLE_MS.",
        `${RUNS} runs, phases interleaved (one/spread order alternating); medians with the range in brackets; ratios per run, then their median.`,
      ],
      figures: [
        { label: "Open loop, one merchant: 2xx / non-2xx / errors or timeouts", value: answers(open.one) },
        { label: `Open loop, ${MERCHANTS} merchants: 2xx / non-2xx / errors or timeouts`, value: answers(open.spread) },
        { label: "Open loop, one merchant: latency p50 / p99 / max", value: latencies(open.one) },
        { label: `Open loop, ${MERCHANTS} merchants: latency p50 / p99 / max`, value: latencies(open.spread) },
        { label: "Closed loop, verified webhooks/s: one merchant / spread", value: `${formatSpread(spread(closed.one, (r) => r.rps2xx), perSec)} / ${formatSpread(spread(closed.spread, (r) => r.rps2xx), perSec)}` },
        { label: "Closed loop: 2xx / non-2xx / errors or timeouts, one merchant | spread", value: `${answers(closed.one)} | ${answers(closed.spread)}` },
        { label: "Credits done by the end", value: credited.toLocaleString("en-US") },
      ],
      targets: [
        { label: "Every answer 2xx", target: "every phase", measured: [...open.one, ...open.spread, ...closed.one, ...closed.spread].every(all2xx) ? "yes" : "no", met: [...open.one, ...open.spread, ...closed.one, ...closed.spread].every(all2xx) },
        { label: `Open-loop p99, spread over ${MERCHANTS} ÷ one merchant`, target: "≤ 1.2×", measured: formatSpread(p99Ratio, ratio), met: p99Ratio.median <= 1.2 },
        { label: `Closed-loop verified webhooks/s, spread over ${MERCHANTS} ÷ one merchant`, target: "≥ 0.8×", measured: formatSpread(rateRatio, ratio), met: rateRatio.median >= 0.8 },
      ],
      notes: [`Telegram calls: ${[...sink.calls].map(([m, n]) => `${m} ${n.toLocaleString("en-US")}`).join(", ")}.`],
    };
  } finally {
    if (app) await stopApp(app);
    await sandbox.close();
    await sink.close();
    file.remove();
  }
}
