/**
 * One platform process for bench/merchants.ts, in a child of its own so its RSS is its own: starts the application
 * on a seeded database, reads its memory idle, then (when asked) presses a button in every merchant's bot, reads
 * its memory with every bot built, waits until every bot has been let go, and reads it again.
 * Started with --expose-gc; gets one job over IPC, answers one result.
 */
import type { Env } from "../../src/config/reader.js";
import type { SeededMerchant } from "./platform-merchants.js";

export interface PlatformChildJob {
  env: Env;
  merchants: Pick<SeededMerchant, "routeKey" | "webhookSecret">[];
  botIdleMs: number;
  /** Press a button in every merchant's bot after the first reading. */
  use: boolean;
}

export interface PlatformChildResult {
  /** From this process's start (node's time origin) until the application listened with every merchant served. */
  processStartMs: number;
  /** Loading the application's modules and startApplication (the time before it is node and tsx starting). */
  launchMs: number;
  merchantsServed: number;
  idle: Memory;
  withBots?: Memory;
  afterIdle?: Memory;
  botsBuiltAfterUse?: number;
  updatesAnswered?: number;
}

interface Memory {
  rss: number;
  heap: number;
}

function settle(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(job: PlatformChildJob): Promise<PlatformChildResult> {
  const t0 = performance.now();
  const [{ loadConfig }, { startApplication }, { readMasterKey }, { default: pino }] = await Promise.all([
    import("../../src/config/config.js"), import("../../src/main.js"), import("../../src/platform/master-key.js"), import("pino"),
  ]);
  const config = loadConfig(job.env);
  const app = await startApplication(config, { log: pino({ level: "silent" }), timings: { botIdleMs: job.botIdleMs }, platform: { masterKey: readMasterKey(job.env), processEnv: job.env } });
  const processStartMs = performance.now();
  const launchMs = processStartMs - t0;
  try {
    await sleep(500);
    const idle = settle();
    const result: PlatformChildResult = { processStartMs, launchMs, merchantsServed: app.merchants.all().length, idle };
    if (!job.use) return result;

    let answered = 0;
    const press = async (m: PlatformChildJob["merchants"][number], i: number) => {
      const user = { id: 500_000_000 + i, is_bot: false, first_name: "Bench", language_code: "en" };
      const update = {
        update_id: i + 1,
        callback_query: { id: String(i + 1), from: user, chat_instance: "bench", data: "bench:old-button", message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: user.id, type: "private", first_name: "Bench" }, text: "…" } },
      };
      const res = await fetch(`${app.url}/telegram/${m.routeKey}`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": m.webhookSecret }, body: JSON.stringify(update) });
      if (res.status === 200) answered++;
      await res.body?.cancel();
    };
    // 20 at a time: the bots are built while the earlier ones stay held.
    for (let i = 0; i < job.merchants.length; i += 20) await Promise.all(job.merchants.slice(i, i + 20).map((m, k) => press(m, i + k)));
    const built = app.merchants.all().filter((m) => m.hasBot()).length;
    result.withBots = settle();
    result.botsBuiltAfterUse = built;
    result.updatesAnswered = answered;
    const deadline = Date.now() + job.botIdleMs * 4 + 10_000;
    while (app.merchants.all().some((m) => m.id !== 1 && m.hasBot()) && Date.now() < deadline) await sleep(100);
    await sleep(200);
    result.afterIdle = settle();
    return result;
  } finally {
    await Promise.race([app.stop(), sleep(5_000)]);
  }
}

process.once("message", (job: PlatformChildJob) => {
  run(job).then(
    (result) => process.send?.({ kind: "result", result }, () => process.exit(0)),
    (err: unknown) => process.send?.({ kind: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1)),
  );
});
