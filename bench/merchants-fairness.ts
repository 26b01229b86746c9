/**
 * Fairness on a platform (issue 22): shop B takes 100 payments/s while shop A, taking as many, has its panel healthy,
 * then hanging (every call held open until the client's timeout); B's payment → credit p99 in both, side by side in
 * one run (test/merchants/fairness.test.ts proves the behaviour; this is the figure). BENCH_SECONDS (default 10)
 * and BENCH_RUNS (default 3) size it.
 */
import { loadConfig } from "../src/config/config.js";
import { startApplication, type Application } from "../src/main.js";
import { readMasterKey } from "../src/platform/master-key.js";
import { startPerfectPanelSimulator } from "../sandbox/panels/perfectpanel-simulator.js";
import { startSandbox } from "../sandbox/start-sandbox.js";
import { lastPaymentId, paymentCredits } from "./support/credit-times.js";
import { references, seedTopUps, silentLog, stopApp, tempSqlite } from "./support/fixtures.js";
import { runLoad, type LoadResult, type PreparedRequest } from "./support/load.js";
import { benchMerchantVars, newMasterKey, seedMerchants } from "./support/platform-merchants.js";
import { signedWebhooks } from "./support/raksmeypay-webhooks.js";
import { formatSpread, spread } from "./support/repeat.js";
import { ms, ratio, sleep, summarize, type BenchResult } from "./support/result.js";
import { startTelegramSink } from "./support/telegram-sink.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_SHOP_PER_SEC = 100;
const SHOP_A = 1;
/** How long after the load B's credits are waited for; then A's (its panel back) before the next phase. */
const B_CAP_MS = 60_000;
const A_RECOVERY_CAP_MS = 90_000;

type PanelA = "healthy" | "hanging";

export async function run(): Promise<BenchResult> {
  const sink = await startTelegramSink();
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const panelB = await startPerfectPanelSimulator({ apiKey: "shop-b-panel-key", users: { bopha: 0 }, currency: "USD" });
  const file = tempSqlite("merchants-fairness");
  const master = newMasterKey();
  const rp = { url: sandbox.env.RAKSMEYPAY_BASE_URL!, profileId: sandbox.env.RAKSMEYPAY_PROFILE_ID!, profileKey: sandbox.env.RAKSMEYPAY_PROFILE_KEY!, webhookApiKey: sandbox.env.RAKSMEYPAY_WEBHOOK_API_KEY! };
  let app: Application | undefined;
  try {
    const [shopB] = await seedMerchants(file.url, master.key, 1, (i) => ({ ...benchMerchantVars(i, { panelUrl: panelB.url, raksmeypay: rp }), PANEL_API_KEY: "shop-b-panel-key" }));
    const env = {
      ...sandbox.env, DATABASE_URL: file.url, MASTER_KEY: master.env, TELEGRAM_API_ROOT: sink.apiRoot, BOT_MODE: "webhook", PUBLIC_URL: "http://127.0.0.1:9",
      TELEGRAM_WEBHOOK_SECRET: "bench-environment-secret", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent",
      // A fixed limit instead of the adaptive one, to compare (the adaptive limit is one for every merchant's panel).
      ...(process.env.BENCH_CREDIT_CONCURRENCY ? { CREDIT_CONCURRENCY: process.env.BENCH_CREDIT_CONCURRENCY } : {}),
    };
    const config = loadConfig(env, { sandbox: true });
    app = await startApplication(config, { log: silentLog, platform: { masterKey: readMasterKey(env), processEnv: env } });
    const url = app.url;
    const db = app.database.db;
    let prefix = 0;
    const signed = (merchantId: number, login: string, path: string, count: number): PreparedRequest[] => {
      const refs = references(count, String(400_000 + prefix++));
      seedTopUps(file.url, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: login, chatId: 610_000_000n, userPerTopUp: true, merchantId });
      return signedWebhooks({ refs, ...rp, amount: "5.00", currency: "USD" }).map((s) => ({ path, ...s }));
    };

    const phase = async (panelA: PanelA): Promise<{ load: LoadResult; b: ReturnType<typeof summarize>; bOpen: number; aDone: number }> => {
      const count = PER_SHOP_PER_SEC * SECONDS;
      const a = signed(SHOP_A, "dara", "/webhooks/raksmeypay", count);
      const b = signed(shopB!.id, "bopha", `/webhooks/raksmeypay/${shopB!.routeKey}`, count);
      const requests = a.flatMap((hook, i) => [hook, b[i]!]);
      if (panelA === "hanging") sandbox.panel.setFault("timeoutBefore");
      const since = lastPaymentId(file.url);
      const aDoneBefore = await db.credit.count({ where: { merchantId: SHOP_A, status: "DONE" } });
      const load = await runLoad({ kind: "requests", url, requests, connections: 64, warmConnections: 16, durationSec: SECONDS, evenRate: PER_SHOP_PER_SEC * 2 });
      // Every one of B's credits, however late: a p99 of only those done by some time would hide the slow ones.
      const bDeadline = Date.now() + B_CAP_MS;
      let rows = paymentCredits(file.url, since, Number.MAX_SAFE_INTEGER, shopB!.id);
      while (rows.some((r) => r.done === null) && Date.now() < bDeadline) {
        await sleep(250);
        rows = paymentCredits(file.url, since, Number.MAX_SAFE_INTEGER, shopB!.id);
      }
      const aDone = (await db.credit.count({ where: { merchantId: SHOP_A, status: "DONE" } })) - aDoneBefore;
      sandbox.panel.resetFaults();
      // A's panel is back: its held and queued credits finish before the next phase starts.
      const deadline = Date.now() + A_RECOVERY_CAP_MS;
      while ((await db.credit.count({ where: { status: { not: "DONE" } } })) > 0 && Date.now() < deadline) await sleep(500);
      return { load, b: summarize(rows.flatMap((r) => (r.done === null ? [] : [r.done - r.observed])).sort((x, y) => x - y)), bOpen: rows.filter((r) => r.done === null).length, aDone };
    };

    const healthy: Awaited<ReturnType<typeof phase>>[] = [];
    const hanging: Awaited<ReturnType<typeof phase>>[] = [];
    for (let r = 0; r < RUNS; r++) {
      if (r % 2 === 0) {
        healthy.push(await phase("healthy"));
        hanging.push(await phase("hanging"));
      } else {
        hanging.push(await phase("hanging"));
        healthy.push(await phase("healthy"));
      }
    }
    const p99Ratio = spread(hanging.map((h, i) => h.b.p99 / healthy[i]!.b.p99), (v) => v);
    const b = (rs: typeof healthy) => `${formatSpread(spread(rs, (r) => r.b.p50), ms)} / ${formatSpread(spread(rs, (r) => r.b.p99), ms)} / ${formatSpread(spread(rs, (r) => r.b.max), ms)}`;
    const answers = (rs: typeof healthy) => rs.map((r) => `${r.load.count2xx} / ${r.load.non2xx} / ${r.load.errors}`).join("; ");
    const notDone = [...healthy, ...hanging].reduce((n, r) => n + r.bOpen, 0);
    return {
      name: "merchants-fairness",
      title: "Fairness on a platform: shop B's payment → credit while shop A's panel hangs",
      method: [
        `One process (startApplication as a platform, SQLite temp file, crediting on the crediting thread with each merchant's share of the panel calls, CREDIT_CONCURRENCY and PANEL_MAX_CONNECTIONS at their defaults unless BENCH_CREDIT_CONCURRENCY sets a fixed limit: ${process.env.BENCH_CREDIT_CONCURRENCY ?? "adaptive"} here): shop A is the environment's shop (the sandbox's PerfectPanel), shop B a stored merchant with a PerfectPanel simulator of its own; both on RaksmeyPay. Telegram is a sink answering at once.`,
        `Each phase: ${PER_SHOP_PER_SEC} signed RaksmeyPay payments/s to each shop, alternating A, B, at an even rate for ${SECONDS} s (open loop, bench/support/even-rate.ts in its own process), each of a top-up seeded for it.`,
        `"Healthy": both panels answer. "Hanging": A's panel holds every call open until the client's timeout (simulator fault timeoutBefore). B's payment → credit = credit doneAt − payment observedAt of every one of B's payments of the phase (waited for up to ${B_CAP_MS / 1000} s after the load); then A's panel is back and every open credit finishes (up to ${A_RECOVERY_CAP_MS / 1000} s) before the next phase.`,
        `${RUNS} runs, healthy and hanging interleaved (order alternating); medians with the range in brackets; the ratio per run, then its median.`,
      ],
      figures: [
        { label: "Webhooks 2xx / non-2xx / errors, healthy | hanging", value: `${answers(healthy)} | ${answers(hanging)}` },
        { label: "B's payment → credit p50 / p99 / max, A healthy", value: b(healthy) },
        { label: "B's payment → credit p50 / p99 / max, A hanging", value: b(hanging) },
        { label: "A's credits done during a phase, healthy | hanging", value: `${formatSpread(spread(healthy, (r) => r.aDone), String)} | ${formatSpread(spread(hanging, (r) => r.aDone), String)}` },
      ],
      targets: [
        { label: "B's payment → credit p99, A hanging ÷ A healthy", target: "≤ 1.2×", measured: formatSpread(p99Ratio, ratio), met: p99Ratio.median <= 1.2 },
        { label: `B's credits not done ${B_CAP_MS / 1000} s after the load`, target: "0", measured: String(notDone), met: notDone === 0 },
      ],
      notes: [
        "A's hanging calls end at the panel client's timeout (PANEL write timeout, 20 s by default): a phase shorter than that sees them held, not failing. Each merchant has its own adaptive concurrency limit (A's timeouts lower A's only) under one cap for all, of which A holds at most its share (a quarter) in flight; B's p99 with A hanging is measured at BENCH_SECONDS (30 s in the recorded run, so A's calls time out and are retried during it).",
        "While A hangs its queued credits pile up (100 /s, 3,000 by the end of a 30-s phase). A claim reads each merchant's due credits off the (status, merchantId, nextAttemptAt) index up to its free slots, so A's backlog costs B's claims one seek; before, every claim walked past all of A's due credits on (status, nextAttemptAt) (measured: 0.19 ms with none, 0.56 ms at 3,000, 0.91 ms at 6,000 per claim, several claims per B credit), which was B's extra latency with A hanging.",
      ],
    };
  } finally {
    if (app) await stopApp(app);
    await panelB.close();
    await sandbox.close();
    await sink.close();
    file.remove();
  }
}
