/**
 * 1. Webhook ingest: the whole application (sandbox configuration, RaksmeyPay only) on a temp SQLite
 * file, with paid top-ups seeded, under autocannon firing signed, distinct RaksmeyPay webhooks.
 * Baseline: GET /healthz on the same server in the same run.
 */
import { SANDBOX_CUSTOMER } from "../src/sandbox/start-sandbox.js";
import { runLoad, type LoadResult } from "./support/load.js";
import { references, seedTopUps, startSandboxApp, tempSqlite } from "./support/fixtures.js";
import { ms, num, pct, perSec, type BenchResult } from "./support/result.js";

export const CONNECTIONS = 50;
export const DURATION_SEC = 10;
const WARMUP_SEC = 2;
/** Enough distinct paid top-ups for the warm-up and 10 s at well over the target rate. */
const SEEDED = 40_000;
const WARMUP_REFS = 8_000;

export async function run(): Promise<BenchResult> {
  const db = tempSqlite("ingest");
  const { sandbox, app, config } = await startSandboxApp({ providers: ["raksmeypay"], databaseUrl: db.url });
  try {
    const refs = references(SEEDED);
    const seedStart = performance.now();
    seedTopUps(db.url, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: BigInt(SANDBOX_CUSTOMER.id) });
    const seedMs = performance.now() - seedStart;
    const rp = config.providers.raksmeypay!;
    const webhookJob = (list: string[], durationSec: number) => ({
      kind: "webhooks" as const, url: app.url, path: "/webhooks/raksmeypay", refs: list,
      profileId: rp.profileId, profileKey: rp.profileKey, webhookApiKey: rp.webhookApiKey, amount: "5.00", currency: "USD",
      connections: CONNECTIONS, durationSec,
    });

    // Baseline first, while the server is idle: nothing the webhooks leave behind (credits, notifications) slows it.
    const healthz = await runLoad({ kind: "get", url: app.url, path: "/healthz", connections: CONNECTIONS, durationSec: DURATION_SEC });
    await runLoad(webhookJob(refs.slice(0, WARMUP_REFS), WARMUP_SEC));
    const paymentsBefore = await app.database.db.payment.count();
    const creditsDoneBefore = await app.database.db.credit.count({ where: { status: "DONE" } });
    const measured = refs.slice(WARMUP_REFS);
    const hooks: LoadResult = await runLoad(webhookJob(measured, DURATION_SEC));
    const recorded = (await app.database.db.payment.count()) - paymentsBefore;
    const creditsDone = (await app.database.db.credit.count({ where: { status: "DONE" } })) - creditsDoneBefore;
    const ratio = hooks.rps2xx / healthz.rps2xx;

    const notes: string[] = [];
    if (hooks.repeats > 0) notes.push(`The ${measured.length} prepared top-ups ran out: ${hooks.repeats} requests repeated a webhook (answered as duplicates).`);
    notes.push(
      `While ${num(hooks.rps2xx, 0)} payments/s were recorded, the crediter applied ${num(creditsDone / hooks.durationSec, 0)} credits/s ` +
        `(${creditsDone} of ${recorded}); the rest stayed queued. A sustained burst like this builds a crediter backlog (see payment-to-credit).`,
    );
    const webhookShare = hooks.count2xx + hooks.non2xx > 0 ? hooks.non2xx / (hooks.count2xx + hooks.non2xx) : 0;
    if (hooks.non2xx > 0) notes.push(`${hooks.non2xx} non-2xx answers (${pct(webhookShare)}), by status: ${JSON.stringify(hooks.statusCodes)}.`);

    return {
      name: "webhook-ingest",
      title: "Webhook ingest",
      method: [
        `startApplication in sandbox configuration (RaksmeyPay only, perfectpanel simulator, fake Telegram), SQLite temp file, LOG_LEVEL silent; crediter, notifier, poller and bot running as in production.`,
        `${SEEDED.toLocaleString("en-US")} pending RaksmeyPay top-ups inserted directly (${num(seedMs / 1000, 1)} s); nextPollAt null so the poller does not poll them.`,
        `autocannon (programmatic, separate process, loopback), ${CONNECTIONS} connections, no pipelining. Each request is a different top-up's signed webhook (X-Api-Key + sha1 hash), built by setupRequest.`,
        `Order: GET /healthz ${DURATION_SEC} s (baseline, idle server) → ${WARMUP_SEC} s webhook warm-up on other top-ups → ${DURATION_SEC} s measured webhooks.`,
      ],
      figures: [
        { label: "Verified webhooks/s (2xx)", value: perSec(hooks.rps2xx) },
        { label: "Webhook latency p50 / p90 / p99 / max", value: `${ms(hooks.latency.p50)} / ${ms(hooks.latency.p90)} / ${ms(hooks.latency.p99)} / ${ms(hooks.latency.max)}` },
        { label: "Non-2xx / errors / timeouts", value: `${hooks.non2xx} / ${hooks.errors} / ${hooks.timeouts}` },
        { label: "Payments recorded in the database (cross-check)", value: `${recorded.toLocaleString("en-US")} (2xx answers: ${hooks.count2xx.toLocaleString("en-US")})` },
        { label: "GET /healthz/s (baseline, same server)", value: perSec(healthz.rps2xx) },
        { label: "/healthz latency p50 / p99", value: `${ms(healthz.latency.p50)} / ${ms(healthz.latency.p99)}` },
        { label: "Webhook rate / /healthz rate", value: pct(ratio) },
        { label: "Credits applied during the webhook window", value: `${creditsDone.toLocaleString("en-US")} (${perSec(creditsDone / hooks.durationSec)})` },
      ],
      targets: [
        { label: "Verified webhooks/s", target: "≥ 1,000 /s", measured: perSec(hooks.rps2xx), met: hooks.rps2xx >= 1000 },
        { label: "Webhook p99 latency", target: "≤ 50 ms", measured: ms(hooks.latency.p99), met: hooks.latency.p99 <= 50 },
        { label: "Webhook rate vs /healthz", target: "≥ 30 %", measured: pct(ratio), met: ratio >= 0.3 },
      ],
      notes,
    };
  } finally {
    await app.stop();
    await sandbox.close();
    db.remove();
  }
}
