/**
 * A platform's merchants in one process (issue 22): idle memory and start-up of a process serving 1,000 stored
 * merchants against one serving its environment's shop alone, side by side in one run. Each process is a child of
 * its own (bench/support/platform-child.ts), so its RSS is its own. BENCH_MERCHANTS (default 1,000) and
 * BENCH_RUNS (default 3) size it.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Env } from "../src/config/reader.js";
import { tempSqlite } from "./support/fixtures.js";
import type { PlatformChildJob, PlatformChildResult } from "./support/platform-child.js";
import { benchMerchantVars, newMasterKey, seedMerchants } from "./support/platform-merchants.js";
import { formatSpread, spread } from "./support/repeat.js";
import { ms, num, ratio, TSX_EXEC_ARGV, type BenchResult } from "./support/result.js";
import { startTelegramSink } from "./support/telegram-sink.js";

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_KB_PER_MERCHANT = 100;
/** Bots let go this long after their last update (production: BOT_IDLE_MS, 10 minutes). */
const BOT_IDLE_MS = 1_000;
const CHILD = fileURLToPath(new URL("./support/platform-child.ts", import.meta.url));

function runChild(job: PlatformChildJob): Promise<PlatformChildResult> {
  const child = fork(CHILD, [], { execArgv: [...TSX_EXEC_ARGV, "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { kind: "result"; result: PlatformChildResult } | { kind: "error"; message: string }) =>
      m.kind === "result" ? resolve(m.result) : reject(new Error(`platform child failed: ${m.message}`)));
    child.once("exit", (code) => reject(new Error(`platform child exited with code ${code} before answering`)));
    child.send(job);
  });
}

export async function run(): Promise<BenchResult> {
  const sink = await startTelegramSink();
  const master = newMasterKey();
  const dummy = { panelUrl: "http://127.0.0.1:9", raksmeypay: { url: "http://127.0.0.1:9", profileId: "bench-profile", profileKey: "bench-profile-key", webhookApiKey: "bench-webhook-key" } };
  const one = tempSqlite("merchants-one");
  const many = tempSqlite("merchants-many");
  try {
    await seedMerchants(one.url, master.key, 0, () => ({}));
    const seedStart = performance.now();
    const seeded = await seedMerchants(many.url, master.key, MERCHANTS, (i) => benchMerchantVars(i, dummy));
    const seedMs = performance.now() - seedStart;
    const env = (databaseUrl: string): Env => ({
      ...benchMerchantVars(1_000_000, dummy), DATABASE_URL: databaseUrl, MASTER_KEY: master.env, TELEGRAM_API_ROOT: sink.apiRoot, BOT_MODE: "webhook",
      PUBLIC_URL: "http://127.0.0.1:9", TELEGRAM_WEBHOOK_SECRET: "bench-environment-secret", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent",
    });
    const ones: PlatformChildResult[] = [];
    const manys: PlatformChildResult[] = [];
    // Interleaved, so a change in the machine's load falls on both alike.
    for (let r = 0; r < RUNS; r++) {
      ones.push(await runChild({ env: env(one.url), merchants: [], botIdleMs: BOT_IDLE_MS, use: false }));
      manys.push(await runChild({ env: env(many.url), merchants: seeded, botIdleMs: BOT_IDLE_MS, use: true }));
    }
    const kb = (bytes: number) => `${num(bytes / 1024, 1)} KB`;
    const mb = (bytes: number) => `${num(bytes / 2 ** 20, 1)} MiB`;
    const perMerchant = (pick: (m: PlatformChildResult) => number) => spread(manys.map((m, i) => (pick(m) - ones[i]!.idle.rss) / MERCHANTS), (v) => v);
    const afterIdle = perMerchant((m) => m.afterIdle!.rss);
    const neverUsed = perMerchant((m) => m.idle.rss);
    const withBots = perMerchant((m) => m.withBots!.rss);
    const heapAfterIdle = spread(manys.map((m, i) => (m.afterIdle!.heap - ones[i]!.idle.heap) / MERCHANTS), (v) => v);
    const startRatio = spread(manys.map((m, i) => m.processStartMs / ones[i]!.processStartMs), (v) => v);
    const oneStart = spread(ones, (m) => m.processStartMs);
    const manyStart = spread(manys, (m) => m.processStartMs);
    const idleLimit = spread(ones, (m) => m.idle.rss + MERCHANTS * TARGET_KB_PER_MERCHANT * 1024);
    const manyIdle = spread(manys, (m) => m.afterIdle!.rss);
    const served = manys.map((m) => m.merchantsServed - 1);
    const answered = manys.map((m) => m.updatesAnswered ?? 0);
    return {
      name: "merchants",
      title: `A platform's merchants in one process: ${MERCHANTS.toLocaleString("en-US")} merchants against one, idle memory and start-up`,
      method: [
        `Two SQLite files: one with no stored merchant, one with ${MERCHANTS.toLocaleString("en-US")} stored through the merchant store (secrets sealed under MASTER_KEY, getMe stored; seeding took ${ms(seedMs, 0)}). Each merchant: its own bot token, admin, RaksmeyPay and PerfectPanel settings.`,
        `Each process is a child of its own (bench/support/platform-child.ts, --expose-gc): startApplication as a platform (MASTER_KEY set, webhook mode) on one file; the one-merchant process serves the environment's shop alone, the other the environment's shop and every stored merchant. Telegram is a sink answering every call at once (bench/support/telegram-sink.ts); nothing else is called at start.`,
        `Start-up: from the child's start (node's time origin, module loading included) until startApplication resolved (listening, every merchant served, crediting running, the environment's bot connected).`,
        `Memory after three forced GCs, 0.5 s after start (idle, no bot of a stored merchant built); then one update (a press of an expired button: session, user sync, conversations, the answer to Telegram) posted to every merchant's /telegram/<key>, 20 at a time (every bot built, read again); then, bots being let go ${BOT_IDLE_MS} ms after their last update here (BOT_IDLE_MS, 10 minutes in production), once every one was let go (read again: "used, then idle").`,
        `${RUNS} runs of each, interleaved; medians with the range in brackets. Per merchant = (RSS of the ${MERCHANTS.toLocaleString("en-US")}-merchant process − RSS of the one-merchant process of the same run) ÷ ${MERCHANTS.toLocaleString("en-US")}.`,
      ],
      figures: [
        { label: "Merchants served / updates answered 200 (each run)", value: served.map((s, i) => `${s} / ${answered[i]}`).join("; ") },
        { label: "One merchant: idle RSS / heap", value: `${formatSpread(spread(ones, (m) => m.idle.rss), mb)} / ${formatSpread(spread(ones, (m) => m.idle.heap), mb)}` },
        { label: `${MERCHANTS} merchants: idle RSS never used / every bot built / used, then idle`, value: `${formatSpread(spread(manys, (m) => m.idle.rss), mb)} / ${formatSpread(spread(manys, (m) => m.withBots!.rss), mb)} / ${formatSpread(manyIdle, mb)}` },
        { label: "RSS per merchant: never used / every bot built / used, then idle", value: `${formatSpread(neverUsed, kb)} / ${formatSpread(withBots, kb)} / ${formatSpread(afterIdle, kb)}` },
        { label: "Heap per merchant: never used / used, then idle", value: `${formatSpread(spread(manys.map((m, i) => (m.idle.heap - ones[i]!.idle.heap) / MERCHANTS), (v) => v), kb)} / ${formatSpread(heapAfterIdle, kb)}` },
        { label: "Start-up, one merchant / all merchants", value: `${formatSpread(oneStart, ms)} / ${formatSpread(manyStart, ms)}` },
        { label: "Loading the application's modules and startApplication, one merchant / all merchants", value: `${formatSpread(spread(ones, (m) => m.launchMs), ms)} / ${formatSpread(spread(manys, (m) => m.launchMs), ms)}` },
      ],
      targets: [
        { label: `Idle RSS of ${MERCHANTS} merchants, bots used then let go`, target: `≤ one merchant's + ${TARGET_KB_PER_MERCHANT} KB each (${formatSpread(idleLimit, mb)})`, measured: `${formatSpread(manyIdle, mb)} (${formatSpread(afterIdle, kb)} each)`, met: afterIdle.median <= TARGET_KB_PER_MERCHANT * 1024 },
        { label: `Start-up with ${MERCHANTS} merchants`, target: "≤ 2× one merchant's", measured: formatSpread(startRatio, ratio), met: startRatio.median <= 2 },
        { label: "Every merchant served and answering", target: `${MERCHANTS} in every run`, measured: served.join(", "), met: served.every((s) => s === MERCHANTS) && answered.every((a) => a === MERCHANTS) },
      ],
      notes: [
        `Telegram calls over all ${RUNS * 2} processes: ${[...sink.calls].map(([m, n]) => `${m} ${n}`).join(", ")} (at start only the environment's bot's getMe, commands and webhook, none per stored merchant; answerCallbackQuery answers the updates posted).`,
      ],
    };
  } finally {
    await sink.close();
    one.remove();
    many.remove();
  }
}
