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
import { TopUpStatus } from "../ledger/states.js";
import type { MerchantResolver } from "./merchants.js";

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

/** One merchant as the poller sees it: its providers, and the ledger and top-ups its payments are recorded by. */
export interface PollMerchant {
  providers: Providers;
  ledger: LedgerDeps;
  topUps: TopUpService;
  outages: OutageTracker;
}

/**
 * Confirms payments through status APIs, whichever comes first with the webhook. Instances divide
 * the work by claiming top-ups with a conditional update of their next poll time. Each merchant's polls run on
 * their own: a merchant whose polls are in flight (a slow provider) is left out of the next claims, so it never
 * holds up another merchant's.
 */
export function createPoller(
  deps: { database: Database; merchants: MerchantResolver<PollMerchant>; metrics: Metrics; log: Logger; now?: () => Date },
  opts: PollerOptions,
): WorkLoop & { pass(): Promise<boolean> } {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "poller" });
  /** Per merchant and provider: `<merchant>:<provider>` (served merchants only). */
  const pausedUntil = new Map<string, number>();
  const inFlight = new Map<number, Promise<void>>();

  async function claim(at: Date): Promise<TopUp[]> {
    const merchants = deps.merchants.ids().filter((id) => !inFlight.has(id));
    const providers = new Set<string>();
    for (const id of merchants) {
      for (const p of deps.merchants.get(id)?.providers.values() ?? []) if (p.checkStatus) providers.add(p.name);
    }
    if (providers.size === 0) return [];
    return claimDuePolls(db, { merchants, providers: [...providers], at, batch: opts.batch, claimMs: opts.claimMs });
  }

  async function pollProvider(m: PollMerchant, provider: PaymentProvider, topUps: TopUp[]): Promise<void> {
    const batches: TopUp[][] = [];
    for (let i = 0; i < topUps.length; i += provider.capabilities.pollBatch) batches.push(topUps.slice(i, i + provider.capabilities.pollBatch));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await pollBatch(m, provider, batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(provider.capabilities.pollConcurrency, batches.length) }, worker));
  }

  async function pollBatch(m: PollMerchant, provider: PaymentProvider, batch: TopUp[]): Promise<void> {
    const at = now();
    try {
      deps.metrics.pollCalls.inc({ provider: provider.name });
      const results = await provider.checkStatus!(batch.map(topUpRef));
      await m.outages.up(`provider:${provider.name}`);
      for (const [i, topUp] of batch.entries()) {
        const result = results[i];
        if (result?.state === "paid") {
          for (const obs of result.observations) {
            // One observation the database refuses must not keep the rest of the batch from being recorded.
            await recordPayment(m.ledger, obs, { source: "poll", signed: true }).catch((err) =>
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
        pausedUntil.set(`${m.ledger.merchantId}:${provider.name}`, at.getTime() + (err.opts.retryAfterMs ?? 30_000));
        log.warn({ provider: provider.name, retryAfterMs: err.opts.retryAfterMs }, "provider rate-limited the poller; pausing it");
      } else {
        await m.outages.down(`provider:${provider.name}`, err.message);
        log.warn({ provider: provider.name, kind: err.kind, msg: err.message }, "status check failed");
      }
      for (const topUp of batch) await reschedule(topUp, at);
    }
  }

  async function reschedule(topUp: TopUp, at: Date): Promise<void> {
    await reschedulePoll(db, topUp.id, nextPollAt(topUp, at, opts.graceMs));
  }

  /** One merchant's claimed top-ups, by provider; a paused or unknown provider's wait for their next turn. */
  async function pollMerchant(merchantId: number, topUps: TopUp[], at: Date): Promise<void> {
    const m = deps.merchants.get(merchantId);
    const byProvider = new Map<PaymentProvider, TopUp[]>();
    for (const t of topUps) {
      const provider = m?.providers.get(t.provider as ProviderName);
      if (!provider?.checkStatus || (pausedUntil.get(`${merchantId}:${provider.name}`) ?? 0) > at.getTime()) {
        await reschedule(t, at);
        continue;
      }
      byProvider.set(provider, [...(byProvider.get(provider) ?? []), t]);
    }
    await Promise.all([...byProvider].map(([provider, list]) => pollProvider(m!, provider, list)));
  }

  /** Top-ups past their expiry, by the merchants that have any (one read for all). */
  async function expireDue(at: Date): Promise<void> {
    const due = await db.topUp.findMany({
      where: { status: TopUpStatus.PENDING, expiresAt: { lte: at }, merchantId: { in: [...deps.merchants.ids()] } },
      distinct: ["merchantId"], select: { merchantId: true },
    });
    for (const { merchantId } of due) await deps.merchants.get(merchantId)?.topUps.expireDue();
  }

  async function pass(): Promise<boolean> {
    const at = now();
    await expireDue(at);
    const claimed = await claim(at);
    const byMerchant = new Map<number, TopUp[]>();
    for (const t of claimed) byMerchant.set(t.merchantId, [...(byMerchant.get(t.merchantId) ?? []), t]);
    for (const [merchantId, list] of byMerchant) {
      const work = pollMerchant(merchantId, list, at)
        .catch((err: unknown) => log.error({ err }, "a poll failed; its top-ups are polled again"))
        .finally(() => {
          inFlight.delete(merchantId);
          loop.wake();
        });
      inFlight.set(merchantId, work);
    }
    return claimed.length >= opts.batch;
  }

  const settled = () => Promise.all(inFlight.values());
  const loop = createWorkLoop("poller", pass, { sweepMs: opts.sweepMs, log });
  return {
    get running() {
      return loop.running;
    },
    start: () => loop.start(),
    wake: () => loop.wake(),
    async stop() {
      await loop.stop();
      await settled();
    },
    /** One pass run by hand (tests), returning once its polls are done. */
    async pass() {
      const more = await pass();
      await settled();
      return more;
    },
  };
}
