/**
 * Webhook ingest on PostgreSQL, closed loop, counted in the database: one instance, then two instances
 * of the application on the same database, each with its own HTTP server and workers, against the
 * ledger's statements driven straight through pg in the same run.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../src/config/config.js";
import { startApplication, type Application } from "../src/main.js";
import { migrate } from "../src/db/migrate.js";
import { createPostgresRecorder, type BatchLimits } from "../src/ledger/postgres-recorder.js";
import type { RecorderConfig } from "../src/ledger/decide.js";
import { CreditStatus } from "../src/ledger/states.js";
import { SANDBOX_CUSTOMER, startSandbox } from "../sandbox/start-sandbox.js";
import { references, stopApp } from "./support/fixtures.js";
import { runLoad, type LoadJob } from "./support/load.js";
import { createPostgresDatabase } from "../test/support/databases.js";
import { seedPostgresTopUps } from "./support/postgres.js";
import { ms, num, perSec, ratio, sleep, type BenchResult } from "./support/result.js";

const CONNECTIONS = 50;
const DURATION_SEC = 8;
const WARM_UP_SEC = 3;
const ROUNDS = 3;
/** Top-ups seeded per measured phase: more than any phase records here. */
const PER_PHASE = 20_000;
const AMOUNT_MINOR = 500;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: readonly number[], show: (x: number) => string) => `${show(median(xs))} (${show(Math.min(...xs))}–${show(Math.max(...xs))})`;

/** Payments recorded and transactions committed in the database so far. */
async function counters(admin: pg.Client): Promise<{ payments: number; commits: number }> {
  const { rows } = await admin.query<{ payments: number; commits: string }>(
    `SELECT (SELECT count(*)::int FROM "payments") AS "payments", (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS "commits"`,
  );
  return { payments: rows[0]!.payments, commits: Number(rows[0]!.commits) };
}

interface Phase {
  perSec: number;
  commitsPerPayment: number;
  /** CPU time of this process (the application or the raw loop, and the sandbox's simulators) per payment recorded, ms. */
  cpuMsPerPayment: number;
}

/** Runs `load` and counts what reached the database meanwhile; the statistics collector lags, so commits are read after a pause. */
async function measure(admin: pg.Client, load: () => Promise<number>): Promise<Phase> {
  const before = await counters(admin);
  const cpu = process.cpuUsage();
  const seconds = await load();
  const used = process.cpuUsage(cpu);
  await sleep(1_100);
  const after = await counters(admin);
  const recorded = after.payments - before.payments;
  return { perSec: recorded / seconds, commitsPerPayment: (after.commits - before.commits) / recorded, cpuMsPerPayment: (used.user + used.system) / 1000 / recorded };
}

/** Waits (up to a minute) until the crediter has no credit left to apply, so a phase does not start with its backlog. */
async function creditsDrained(admin: pg.Client): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const { rows } = await admin.query<{ open: number }>(`SELECT count(*)::int AS "open" FROM "credits" WHERE "status" = ANY($1::text[])`, [[CreditStatus.QUEUED, CreditStatus.SENDING, CreditStatus.RECONCILE]]);
    if (rows[0]!.open === 0) return;
    await sleep(250);
  }
}

/**
 * The ledger's recorder alone over a pool of its own (`poolSize` connections, like the application's),
 * `CONNECTIONS` callers each recording the next top-up's payment as soon as its last one returned.
 */
async function driveRecorder(url: string, poolSize: number, config: RecorderConfig, refs: string[], seconds: number, limits: Partial<BatchLimits>): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const recorder = createPostgresRecorder(pool, limits);
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const caller = async () => {
    while (performance.now() < until && next < refs.length) {
      const ref = refs[next++]!;
      const raw = { transaction_id: ref, amount: "5.00", currency: "USD", status: "success", bakong_hash: randomBytes(32).toString("hex") };
      await recorder.record(config, { provider: "raksmeypay", providerTxnId: ref, reference: ref, amountMinor: AMOUNT_MINOR, currency: "USD", raw }, { source: "webhook", signed: true }, new Date());
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, caller));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.end();
  if (next >= refs.length) throw new Error("the recorder ran out of seeded top-ups: seed more");
  return elapsed;
}

/** Samples how many queries wait for a pooled connection, every 5 ms; `stop` gives the mean. */
function sampleWaiters(pool: pg.Pool): { stop(): number } {
  let samples = 0, sum = 0;
  const timer = setInterval(() => {
    samples++;
    sum += pool.waitingCount;
  }, 5);
  return { stop: () => (clearInterval(timer), sum / Math.max(1, samples)) };
}

function recorderConfig(config: Config): RecorderConfig {
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  return { merchantId: 1, adminChats, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd };
}

export async function run(): Promise<BenchResult> {
  const database = await createPostgresDatabase();
  // The raw loop writes to a database of its own on the same server, where no application's workers pick its payments up.
  const rawDatabase = await createPostgresDatabase();
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const config = loadConfig(
    {
      ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: database.url,
      // Several instances need webhook mode (one getUpdates consumer per token); no updates are sent here.
      BOT_MODE: "webhook", PUBLIC_URL: "https://bench.invalid", TELEGRAM_WEBHOOK_SECRET: "bench-secret",
    },
    { sandbox: true },
  );
  const admin = new pg.Client({ connectionString: database.url });
  const rawAdmin = new pg.Client({ connectionString: rawDatabase.url });
  const apps: Application[] = [];
  try {
    apps.push(await startApplication(config));
    sandbox.connect(apps[0]!.url);
    await migrate(rawDatabase.url);
    await Promise.all([admin.connect(), rawAdmin.connect()]);
    const poolSize = apps[0]!.database.pgPool!.options.max!;
    let batch = 0;
    const seed = async (url: string) => {
      const refs = references(PER_PHASE, `26${String(10 + batch++).padStart(4, "0")}`);
      await seedPostgresTopUps(url, { provider: "raksmeypay", refs, amountMinor: AMOUNT_MINOR, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id) });
      return refs;
    };
    const rp = config.providers.raksmeypay!;
    const job = (url: string, refs: string[], connections: number, durationSec: number): LoadJob => ({
      kind: "webhooks", url, path: "/webhooks/raksmeypay", refs, profileId: rp.profileId, profileKey: rp.profileKey,
      webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections, durationSec,
    });
    const ledger = recorderConfig(config);
    const PER_PAYMENT = { maxBatch: 1, inFlight: poolSize };
    const drive = async (limits: Partial<BatchLimits>, seconds: number) => {
      const refs = await seed(rawDatabase.url);
      return () => driveRecorder(rawDatabase.url, poolSize, ledger, refs, seconds, limits);
    };

    // Warm-up: connections opened, statements prepared, caches warm, on top-ups not measured.
    await runLoad(job(apps[0]!.url, await seed(database.url), CONNECTIONS, WARM_UP_SEC));
    await (await drive(PER_PAYMENT, WARM_UP_SEC))();
    await (await drive({}, WARM_UP_SEC))();

    const one: Phase[] = [], perPayment: Phase[] = [], batched: Phase[] = [], p99: number[] = [], poolWaiters: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await creditsDrained(admin);
      perPayment.push(await measure(rawAdmin, await drive(PER_PAYMENT, DURATION_SEC)));
      batched.push(await measure(rawAdmin, await drive({}, DURATION_SEC)));
      const refs = await seed(database.url);
      one.push(await measure(admin, async () => {
        const waiting = sampleWaiters(apps[0]!.database.pgPool!);
        const result = await runLoad(job(apps[0]!.url, refs, CONNECTIONS, DURATION_SEC));
        poolWaiters.push(waiting.stop());
        p99.push(result.latency.p99);
        return result.durationSec;
      }));
    }

    await creditsDrained(admin);
    apps.push(await startApplication(config));
    await sleep(2_000);
    const pair: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await creditsDrained(admin);
      const [a, b] = [await seed(database.url), await seed(database.url)];
      pair.push(await measure(admin, async () => {
        const results = await Promise.all([
          runLoad(job(apps[0]!.url, a, CONNECTIONS / 2, DURATION_SEC)),
          runLoad(job(apps[1]!.url, b, CONNECTIONS / 2, DURATION_SEC)),
        ]);
        return Math.max(...results.map((r) => r.durationSec));
      }));
    }

    const rates = (phases: Phase[]) => phases.map((p) => p.perSec);
    const toRaw = one.map((p, i) => p.perSec / perPayment[i]!.perSec);
    const toBare = one.map((p, i) => p.perSec / batched[i]!.perSec);
    const scale = pair.map((p) => p.perSec / median(rates(one)));
    const perPhase = (pick: (p: Phase) => number, digits: number) => (phases: Phase[]) => spread(phases.map(pick), (x) => num(x, digits));
    const commits = perPhase((p) => p.commitsPerPayment, 2);
    const cpu = perPhase((p) => p.cpuMsPerPayment, 2);
    return {
      name: "webhook-postgres",
      title: "Webhook ingest on PostgreSQL (one and two instances, against the raw driver)",
      method: [
        `startApplication in sandbox configuration (RaksmeyPay only), DATABASE_URL a fresh database on the local PostgreSQL server, pool of ${poolSize} connections, LOG_LEVEL silent; every worker running (the crediter credits the sandbox panel, the notifier sends receipts to the sandbox Telegram, both simulators in this process).`,
        `Every figure counts payments recorded in the database (rows added to "payments" during the phase ÷ its duration), not 2xx answers, and is the median of ${ROUNDS} rounds (min–max). Each phase records the payments of ${PER_PHASE.toLocaleString("en-US")} pending top-ups of its own, seeded before it with one statement; a round starts once the crediter has applied every credit queued before it (receipts may still be going out at Telegram's pace).`,
        `Warm-up first, not measured: ${WARM_UP_SEC} s of webhooks and ${WARM_UP_SEC} s of each raw loop, on top-ups of their own.`,
        `One instance: autocannon in its own process, ${CONNECTIONS} connections, ${DURATION_SEC} s, distinct signed RaksmeyPay webhooks. Two instances: a second instance on the same database, two generators of ${CONNECTIONS / 2} connections each, one per instance, at the same time (after the ${ROUNDS} one-instance rounds).`,
        `Raw pg, in each round just before the one-instance phase: the ledger's recorder (src/ledger/postgres-recorder.ts) called from this process by ${CONNECTIONS} callers in a closed loop for ${DURATION_SEC} s, over a pg pool of its own of ${poolSize} connections, on a second database of the same server (no application attached): no HTTP, no verification, no workers, no wake-ups. First one payment per round-trip pair (its look-up, then its write, up to ${poolSize} payments at once: the ledger's statements as it ran them per payment before group commit, the baseline of the ratio), then with the recorder's own batching (the application's hot path alone).`,
        `Commits per payment: xact_commit of the phase's database (pg_stat_database) over the phase ÷ payments recorded, so every transaction counts: look-ups, the crediter's and notifier's statements, wake-ups. CPU per payment: this process's user + system time over the phase ÷ payments recorded (the application or the raw loop, and the simulators; not PostgreSQL, not autocannon).`,
      ],
      figures: [
        { label: "One instance: payments recorded/s", value: spread(rates(one), perSec) },
        { label: "One instance: webhook p99", value: spread(p99, (x) => ms(x, 0)) },
        { label: "Raw pg, one payment per round-trip pair: payments/s", value: spread(rates(perPayment), perSec) },
        { label: "One instance ÷ raw pg (same round)", value: spread(toRaw, ratio) },
        { label: "The recorder alone, batched: payments/s", value: spread(rates(batched), perSec) },
        { label: "One instance ÷ the recorder alone (same round)", value: spread(toBare, ratio) },
        { label: "Two instances together: payments recorded/s", value: spread(rates(pair), perSec) },
        { label: "Two instances ÷ one (one's median)", value: spread(scale, ratio) },
        { label: "Commits per payment: one instance / raw pg / recorder alone / two instances", value: `${commits(one)} / ${commits(perPayment)} / ${commits(batched)} / ${commits(pair)}` },
        { label: "CPU ms per payment in this process: one instance / raw pg / recorder alone", value: `${cpu(one)} / ${cpu(perPayment)} / ${cpu(batched)}` },
        { label: "One instance: queries waiting for a pooled connection (mean of 5 ms samples)", value: spread(poolWaiters, (x) => num(x, 1)) },
      ],
      targets: [
        { label: "One instance ÷ raw pg", target: "≥ 0.6×", measured: ratio(median(toRaw)), met: median(toRaw) >= 0.6 },
        { label: "One instance", target: "≥ 1,000 /s", measured: perSec(median(rates(one))), met: median(rates(one)) >= 1000 },
        { label: "Two instances ÷ one", target: "≥ 1.5×", measured: ratio(median(scale)), met: median(scale) >= 1.5 },
      ],
      notes: [
        `The application records ${ratio(median(toRaw))} of what the raw per-payment loop records: it commits ${num(median(one.map((p) => p.commitsPerPayment)), 2)} transactions per payment with its crediter and notifier included, against ${num(median(perPayment.map((p) => p.commitsPerPayment)), 2)} for the loop (a look-up and a write each), because the recorder writes the payments waiting together (group commit, ${num(median(batched.map((p) => p.commitsPerPayment)), 2)} commits per payment alone).`,
        `What stands between the application and its recorder alone (${ratio(median(toBare))}) is this process's CPU: ${num(median(one.map((p) => p.cpuMsPerPayment)), 2)} ms per payment with HTTP, signature checks, the crediter with the panel simulator and the notifier with the Telegram simulator, against ${num(median(batched.map((p) => p.cpuMsPerPayment)), 2)} ms for the recorder alone; queries waited for a pooled connection ${num(median(poolWaiters), 1)} at a time on average.`,
        `Before group commit, with one payment per look-up and write, the application recorded 0.51–0.62 of this loop in two probe runs here (issue 24 measured 0.29–0.40): 28–41 of its 50 requests waited for one of 10 pooled connections on average, one of which the LISTEN connection held for good, and 0.37–0.61 NOTIFY statements per payment took pooled connections too (a query counter and pool sampling in the same process).`,
        `Two instances, two load generators and PostgreSQL share this machine's 2 cores, so the second instance adds no CPU of its own: the pair's figure says whether instances contend (locks, claims), not how a second machine would scale.`,
      ],
    };
  } finally {
    for (const app of apps) await stopApp(app);
    await admin.end().catch(() => undefined);
    await rawAdmin.end().catch(() => undefined);
    await sandbox.close();
    await database.dropDatabase();
    await rawDatabase.dropDatabase();
  }
}
