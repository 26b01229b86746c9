/**
 * Two cores: the sustained money path (payments recorded and credited) with the crediter and notifier on a
 * thread of their own (src/crediting/thread.ts) against on the main thread, alternated in the same run.
 */
import { loadConfig } from "../src/config/config.js";
import { startApplication } from "../src/main.js";
import { SANDBOX_CUSTOMER, startSandbox } from "../sandbox/start-sandbox.js";
import { runLoad } from "./support/load.js";
import { references, seedTopUps, stopApp, tempSqlite } from "./support/fixtures.js";
import { num, perSec, sleep, type BenchResult } from "./support/result.js";

const CONNECTIONS = 50;
const WARMUP_SEC = 2;
const DURATION_SEC = 10;
const SEEDED = 90_000;
/** The open-loop phase: one webhook every 1/SUSTAIN_RATE s (the target for the money path). */
const SUSTAIN_RATE = Number(process.env.TWO_CORES_RATE ?? 1_500);
const WARMUP_REFS = 10_000;
const DRAIN_LIMIT_MS = 60_000;
const REPEATS = Number(process.env.TWO_CORES_REPEATS ?? 3);

interface Episode {
  /** Payments recorded per second during the closed loop. */
  ingest: number;
  /** Credits applied per second during the same window. */
  creditedDuring: number;
  /** The window's payments over the time from its start until the last of them was credited. */
  moneyPath: number;
  /** Credits still queued when the window ended. */
  backlogAtEnd: number;
  cpuMsPerPayment: number;
  /** Open loop at SUSTAIN_RATE: payments recorded and credits applied per second, and how much the credit backlog grew. */
  evenRecorded: number;
  evenCredited: number;
  evenBacklogGrowth: number;
}

async function episode(threaded: boolean): Promise<Episode> {
  const file = tempSqlite("two-cores");
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const config = loadConfig({ ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: file.url }, { sandbox: true });
  const app = await startApplication(config, { creditingThread: threaded });
  sandbox.connect(app.url);
  try {
    const refs = references(SEEDED);
    seedTopUps(file.url, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id), userPerTopUp: true });
    const rp = config.providers.raksmeypay!;
    const job = (list: string[], durationSec: number) => ({
      kind: "webhooks" as const, url: app.url, path: "/webhooks/raksmeypay", refs: list,
      profileId: rp.profileId, profileKey: rp.profileKey, webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD",
      connections: CONNECTIONS, durationSec,
    });
    const db = app.database.db;
    await runLoad(job(refs.slice(0, WARMUP_REFS), WARMUP_SEC));
    const drain = async () => {
      for (const deadline = performance.now() + DRAIN_LIMIT_MS; performance.now() < deadline; await sleep(20)) {
        if ((await db.credit.count({ where: { status: { not: "DONE" } } })) === 0) return;
      }
    };
    // Start from an empty credit queue: the warm-up's credits drained first.
    await drain();
    const paymentsBefore = await db.payment.count();
    const doneBefore = await db.credit.count({ where: { status: "DONE" } });
    let started = 0;
    const cpu0 = process.cpuUsage();
    await runLoad(job(refs.slice(WARMUP_REFS), DURATION_SEC), () => (started = performance.now()));
    const windowMs = performance.now() - started;
    const recorded = (await db.payment.count()) - paymentsBefore;
    const doneAtEnd = (await db.credit.count({ where: { status: "DONE" } })) - doneBefore;
    const backlogAtEnd = await db.credit.count({ where: { status: { not: "DONE" } } });
    await drain();
    const allCreditedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    await drain();
    const even = await sustained(job, refs.slice(WARMUP_REFS + recorded + CONNECTIONS), db);
    return {
      ingest: recorded / (windowMs / 1000),
      creditedDuring: doneAtEnd / (windowMs / 1000),
      moneyPath: recorded / (allCreditedMs / 1000),
      backlogAtEnd,
      cpuMsPerPayment: (cpu.user + cpu.system) / 1000 / recorded,
      ...even,
    };
  } finally {
    await stopApp(app);
    await sandbox.close();
    file.remove();
  }
}

type Job = (list: string[], durationSec: number) => Parameters<typeof runLoad>[0] & { kind: "webhooks" };

/** SUSTAIN_RATE webhooks a second, evenly spaced, for DURATION_SEC: does crediting keep up (the backlog stays flat)? */
async function sustained(job: Job, refs: string[], db: Awaited<ReturnType<typeof startApplication>>["database"]["db"]) {
  const paymentsBefore = await db.payment.count();
  const doneBefore = await db.credit.count({ where: { status: "DONE" } });
  let started = 0;
  await runLoad({ ...job(refs, DURATION_SEC), evenRate: SUSTAIN_RATE, warmConnections: CONNECTIONS }, () => (started = performance.now()));
  const seconds = (performance.now() - started) / 1000;
  const recorded = (await db.payment.count()) - paymentsBefore;
  const credited = (await db.credit.count({ where: { status: "DONE" } })) - doneBefore;
  return { evenRecorded: recorded / seconds, evenCredited: credited / seconds, evenBacklogGrowth: recorded - credited };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits = 0) => `${num(median(xs), digits)} (${num(Math.min(...xs), digits)}–${num(Math.max(...xs), digits)})`;

export async function run(): Promise<BenchResult> {
  const runs: Record<"inline" | "thread", Episode[]> = { inline: [], thread: [] };
  for (let i = 0; i < REPEATS; i++) {
    for (const mode of i % 2 === 0 ? (["inline", "thread"] as const) : (["thread", "inline"] as const)) {
      const e = await episode(mode === "thread");
      runs[mode].push(e);
      console.log(mode, JSON.stringify(e));
    }
  }
  const row = (label: string, pick: (e: Episode) => number, digits = 0) => ({ label, value: `one thread ${spread(runs.inline.map(pick), digits)} · crediting thread ${spread(runs.thread.map(pick), digits)}` });
  const moneyPath = median(runs.thread.map((e) => e.moneyPath));
  return {
    name: "two-cores",
    title: "Two cores: the money path with and without the crediting thread",
    method: [
      `startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator, fake Telegram in the same process), SQLite temp file, LOG_LEVEL silent, ${SEEDED.toLocaleString("en-US")} paid top-ups seeded, one customer each.`,
      `Each episode: ${WARMUP_SEC} s warm-up, credits drained, then ${DURATION_SEC} s closed loop of signed webhooks (autocannon in its own process, ${CONNECTIONS} connections); then the credits are left to drain.`,
      `Money path = payments of the window ÷ (window start → last of them credited). Then, the backlog drained again, ${DURATION_SEC} s of webhooks evenly spaced at ${SUSTAIN_RATE.toLocaleString("en-US")} /s (open loop): the money path is sustained at that rate when the credit backlog stays flat.`,
      `Receipts go to chats that never started the bot (one per top-up): the fake Telegram refuses them (403) and the notifier retries them later, in both modes alike.`,
      `Medians of ${REPEATS} episodes per mode (min–max), the modes alternated in one run.`,
    ],
    figures: [
      row("Payments recorded /s during the window", (e) => e.ingest),
      row("Credits applied /s during the window", (e) => e.creditedDuring),
      row("Credits still queued when the window ended", (e) => e.backlogAtEnd),
      row("Money path: payments recorded and credited /s", (e) => e.moneyPath),
      row("Process CPU per payment, ms (both threads, simulators included)", (e) => e.cpuMsPerPayment, 2),
      row(`Open loop at ${SUSTAIN_RATE.toLocaleString("en-US")} /s: payments recorded /s`, (e) => e.evenRecorded),
      row(`Open loop at ${SUSTAIN_RATE.toLocaleString("en-US")} /s: credits applied /s`, (e) => e.evenCredited),
      row(`Open loop at ${SUSTAIN_RATE.toLocaleString("en-US")} /s: credit backlog growth over ${DURATION_SEC} s`, (e) => e.evenBacklogGrowth),
    ],
    targets: [
      { label: "Money path, one merchant (record + credit, closed loop then drained), crediting thread", target: "≥ 1,500 /s", measured: perSec(moneyPath), met: moneyPath >= 1500 },
      {
        label: `Credit backlog flat at ${SUSTAIN_RATE.toLocaleString("en-US")} /s (open loop), crediting thread`,
        target: `growth ≤ 1 s of payments`,
        measured: num(median(runs.thread.map((e) => e.evenBacklogGrowth)), 0),
        met: median(runs.thread.map((e) => e.evenBacklogGrowth)) <= SUSTAIN_RATE,
      },
    ],
    notes: [],
  };
}
