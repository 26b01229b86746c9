/**
 * Webhook ingest on PostgreSQL, closed loop: one instance, then two instances of the application on
 * the same database, each with its own HTTP server and workers, sharing the load.
 */
import { loadConfig } from "../src/config/config.js";
import { startApplication, type Application } from "../src/main.js";
import { SANDBOX_CUSTOMER, startSandbox } from "../sandbox/start-sandbox.js";
import { references, stopApp } from "./support/fixtures.js";
import { runLoad, type LoadJob, type LoadResult } from "./support/load.js";
import { createPostgresDatabase } from "../test/support/databases.js";
import { seedPostgresTopUps } from "./support/postgres.js";
import { ms, num, perSec, sleep, type BenchResult } from "./support/result.js";

const CONNECTIONS = 50;
const DURATION_SEC = 10;
const PER_RUN = 40_000;

export async function run(): Promise<BenchResult> {
  const database = await createPostgresDatabase();
  const sandbox = await startSandbox({ providers: ["raksmeypay"] });
  const config = loadConfig(
    {
      ...sandbox.env, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: database.url,
      // Several instances need webhook mode (one getUpdates consumer per token); no updates are sent here.
      BOT_MODE: "webhook", PUBLIC_URL: "https://bench.invalid", TELEGRAM_WEBHOOK_SECRET: "bench-secret",
    },
    { sandbox: true },
  );
  const apps: Application[] = [];
  try {
    apps.push(await startApplication(config));
    sandbox.connect(apps[0]!.url);
    const one = references(PER_RUN, "251122");
    const two = references(PER_RUN, "251123");
    for (const refs of [one, two]) {
      await seedPostgresTopUps(database.url, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id) });
    }
    const rp = config.providers.raksmeypay!;
    const job = (url: string, refs: string[], connections: number): LoadJob => ({
      kind: "webhooks", url, path: "/webhooks/raksmeypay", refs, profileId: rp.profileId, profileKey: rp.profileKey,
      webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD", connections, durationSec: DURATION_SEC,
    });

    const single = await runLoad(job(apps[0]!.url, one, CONNECTIONS));
    apps.push(await startApplication(config));
    await sleep(2_000);
    const half = Math.floor(two.length / 2);
    const pair: LoadResult[] = await Promise.all([
      runLoad(job(apps[0]!.url, two.slice(0, half), CONNECTIONS / 2)),
      runLoad(job(apps[1]!.url, two.slice(half), CONNECTIONS / 2)),
    ]);
    const pairRate = pair[0]!.rps2xx + pair[1]!.rps2xx;
    const scale = pairRate / single.rps2xx;
    const notes = [
      `Two instances, two load generators and PostgreSQL share this machine's 2 cores, so the second instance adds no CPU of its own: the pair's figure says whether instances contend (locks, claims), not how a second machine would scale.`,
    ];
    if (single.non2xx + pair[0]!.non2xx + pair[1]!.non2xx > 0) notes.push(`Non-2xx answers: one ${JSON.stringify(single.statusCodes)}, pair ${JSON.stringify(pair[0]!.statusCodes)} + ${JSON.stringify(pair[1]!.statusCodes)}.`);
    return {
      name: "webhook-postgres",
      title: "Webhook ingest on PostgreSQL (one and two instances)",
      method: [
        `startApplication in sandbox configuration (RaksmeyPay only), DATABASE_URL a fresh database on the local PostgreSQL server, LOG_LEVEL silent; every worker running.`,
        `${(PER_RUN * 2).toLocaleString("en-US")} pending top-ups inserted with one statement.`,
        `autocannon in its own process, ${CONNECTIONS} connections, ${DURATION_SEC} s, distinct signed RaksmeyPay webhooks. Then a second instance on the same database and two generators of ${CONNECTIONS / 2} connections each, one per instance, at the same time.`,
      ],
      figures: [
        { label: "One instance: verified webhooks/s, p50 / p99", value: `${perSec(single.rps2xx)}, ${ms(single.latency.p50)} / ${ms(single.latency.p99)}` },
        { label: "Two instances together: verified webhooks/s", value: perSec(pairRate) },
        { label: "Two instances: p99 per instance", value: `${ms(pair[0]!.latency.p99)} / ${ms(pair[1]!.latency.p99)}` },
        { label: "Two instances / one", value: `${num(scale, 2)}×` },
      ],
      targets: [
        { label: "One instance", target: "≥ 1,000 /s", measured: perSec(single.rps2xx), met: single.rps2xx >= 1000 },
        { label: "Two instances / one", target: "≥ 1.5×", measured: `${num(scale, 2)}×`, met: scale >= 1.5 },
      ],
      notes,
    };
  } finally {
    for (const app of apps) await stopApp(app);
    await sandbox.close();
    await database.dropDatabase();
  }
}
