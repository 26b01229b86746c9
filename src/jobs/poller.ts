import type { ProviderName } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { claimDuePolls, reschedulePoll } from "../ledger/poll-claims.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { OutageTracker } from "../notify/outages.js";
import { recordPayment, type LedgerDeps } from "../ledger/record-payment.js";
import { ProviderError, type PaymentProvider } from "../payments/provider.js";
import { topUpRef, type Providers, type TopUpService } from "../payments/topups.js";

export interface PollerOptions {
  /** Keep polling this long after expiry: a late payment is still money paid. */
  graceMs: number;
  /** How long a claimed top-up is reserved for this instance's poll. */
  claimMs: number;
  sweepMs: number;
  /** The most top-ups one pass claims. */
  batch: number;
}

/** Often at first (customers pay within a minute or two), then less often until expiry plus grace. */
export function pollIntervalMs(ageMs: number): number {
  if (ageMs < 2 * 60_000) return 3_000;
  if (ageMs < 10 * 60_000) return 10_000;
  return 30_000;
}

export function nextPollAt(topUp: Pick<TopUp, "createdAt" | "expiresAt">, at: Date, graceMs: number): Date | null {
  const next = new Date(at.getTime() + pollIntervalMs(at.getTime() - topUp.createdAt.getTime()));
  return next.getTime() > topUp.expiresAt.getTime() + graceMs ? null : next;
}

/**
 * Confirms payments through status APIs, whichever comes first with the webhook. Instances divide
 * the work by claiming top-ups with a conditional update of their next poll time.
 */
export function createPoller(
  deps: { database: Database; providers: Providers; ledger: LedgerDeps; topUps: TopUpService; outages: OutageTracker; metrics: Metrics; log: Logger; now?: () => Date },
  opts: PollerOptions,
): WorkLoop & { pass(): Promise<boolean> } {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "poller" });
  const pausedUntil = new Map<ProviderName, number>();
  const polled = [...deps.providers.values()].filter((p) => p.checkStatus).map((p) => p.name);

  async function claim(at: Date): Promise<TopUp[]> {
    const providers = polled.filter((name) => (pausedUntil.get(name) ?? 0) <= at.getTime());
    if (providers.length === 0) return [];
    return claimDuePolls(db, { providers, at, batch: opts.batch, claimMs: opts.claimMs });
  }

  async function pollProvider(provider: PaymentProvider, topUps: TopUp[]): Promise<void> {
    const batches: TopUp[][] = [];
    for (let i = 0; i < topUps.length; i += provider.capabilities.pollBatch) batches.push(topUps.slice(i, i + provider.capabilities.pollBatch));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await pollBatch(provider, batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(provider.capabilities.pollConcurrency, batches.length) }, worker));
  }

  async function pollBatch(provider: PaymentProvider, batch: TopUp[]): Promise<void> {
    const at = now();
    try {
      deps.metrics.pollCalls.inc({ provider: provider.name });
      const results = await provider.checkStatus!(batch.map(topUpRef));
      await deps.outages.up(`provider:${provider.name}`);
      for (const [i, topUp] of batch.entries()) {
        const result = results[i];
        if (result?.state === "paid") {
          for (const obs of result.observations) {
            // One observation the database refuses must not keep the rest of the batch from being recorded.
            await recordPayment(deps.ledger, obs, { source: "poll", signed: true }).catch((err) =>
              log.error({ err, topUpId: topUp.id, provider: provider.name }, "recording a polled payment failed; it is polled again"),
            );
          }
        } else if (result?.state === "failed") {
          log.info({ topUpId: topUp.id, reason: result.reason }, "provider reports the payment failed");
        }
        await reschedule(topUp, at);
      }
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      deps.metrics.providerErrors.inc({ provider: provider.name, kind: err.kind });
      if (err.kind === "rate_limited") {
        pausedUntil.set(provider.name, at.getTime() + (err.opts.retryAfterMs ?? 30_000));
        log.warn({ provider: provider.name, retryAfterMs: err.opts.retryAfterMs }, "provider rate-limited the poller; pausing it");
      } else {
        await deps.outages.down(`provider:${provider.name}`, err.message);
        log.warn({ provider: provider.name, kind: err.kind, msg: err.message }, "status check failed");
      }
      for (const topUp of batch) await reschedule(topUp, at);
    }
  }

  async function reschedule(topUp: TopUp, at: Date): Promise<void> {
    await reschedulePoll(db, topUp.id, nextPollAt(topUp, at, opts.graceMs));
  }

  async function pass(): Promise<boolean> {
    await deps.topUps.expireDue();
    const claimed = await claim(now());
    const byProvider = new Map<ProviderName, TopUp[]>();
    for (const t of claimed) byProvider.set(t.provider as ProviderName, [...(byProvider.get(t.provider as ProviderName) ?? []), t]);
    await Promise.all([...byProvider].map(([name, list]) => pollProvider(deps.providers.get(name)!, list)));
    return claimed.length >= opts.batch;
  }

  return Object.assign(createWorkLoop("poller", pass, { sweepMs: opts.sweepMs, log }), { pass });
}
