import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Wakeup } from "../db/wakeup.js";
import { createWorkLoop, type WorkLoop } from "./loop.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { OutageTracker } from "../notify/outages.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import { finishBonusCredit, holdCredit, reconcileCredit, requeueCredit, retryCredit, takeStaleClaims } from "../ledger/credit-outcomes.js";
import type { ClaimedCredit, PanelReceipt } from "../ledger/credit-queue.js";
import { decimalString, type Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";
import type { Credit } from "../generated/sqlite/client.js";
import { PanelError, type PanelClient } from "../panel/panel-client.js";
import { createConcurrencyLimit, type CallOutcome, type ConcurrencyLimit, type ConcurrencySetting } from "./concurrency-limit.js";
import { LoopDelayClock } from "./loop-delay.js";
import type { MerchantResolver } from "./merchants.js";

export interface CrediterOptions {
  /** Keep retrying an unavailable panel this long, then hold the credit for an admin. */
  retryForMs: number;
  /** A claim older than this means its worker died mid-call: the outcome is unknown. Must exceed the panel timeout. */
  leaseMs: number;
  /** Wait this long after an unknown outcome before looking for the memo, so a late write shows up. */
  reconcileDelayMs: number;
  /** Panel calls in flight at once: CREDIT_CONCURRENCY when set, else adaptive up to PANEL_MAX_CONNECTIONS. */
  concurrency: ConcurrencySetting;
  /** Of those, at most this many for one merchant, so one shop's hanging panel leaves the rest to the others. */
  perMerchant?: number;
  sweepMs: number;
  instanceId: string;
}

/** One merchant as the crediter sees it: where its credits go and who hears about them. */
export interface CreditMerchant {
  panel: PanelClient;
  outages: OutageTracker;
  adminChats: readonly bigint[];
  /** TOPUP_BONUS: a payment credit that is done queues its deposit bonus; none when absent. */
  bonus?: BonusPolicy;
}

export interface CrediterDeps {
  database: LedgerDatabase;
  /** Each claimed credit goes to its own merchant's panel. */
  merchants: MerchantResolver<CreditMerchant>;
  wakeup: Wakeup;
  log: Logger;
  metrics: Metrics;
  now?: () => Date;
}

/** A claimed credit with its merchant's part. */
type Job = { credit: Credit; m: CreditMerchant };

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A changing concurrency limit is logged at most this often (the gauge shows every value). */
const LIMIT_LOG_EVERY_MS = 10_000;

/** What one credit attempt's panel call showed, for the concurrency limit. */
interface PanelCallRecord {
  outcome: CallOutcome;
  latencyMs: number;
  /** How long this thread's event loop was held up during the call (its share of latencyMs is ours, not the panel's). */
  loopDelayMs: number;
}

export function backoffMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The outbox worker: takes queued credits to the panel exactly once, or to an admin with the facts.
 * Invariant: a credit whose outcome is unknown is never re-sent until the panel's payment list
 * shows the memo is absent; panels without a list hold it for an admin.
 */
export function createCrediter(deps: CrediterDeps, opts: CrediterOptions): WorkLoop {
  const { db } = deps.database;
  const now = () => deps.now?.() ?? new Date();
  const log = deps.log.child({ worker: "crediter" });
  const perMerchant = opts.perMerchant ?? Number.POSITIVE_INFINITY;

  async function hold({ credit, m }: Job, reason: string, errorKind: string, extra: { panelMessage?: string } = {}): Promise<void> {
    const lastError = extra.panelMessage ? `${reason} (panel said: ${extra.panelMessage})` : reason;
    await holdCredit(db, credit, lastError, errorKind, m.adminChats, now());
    deps.metrics.creditsHeld.inc({ reason: errorKind });
    log.warn({ creditId: credit.id, reason, errorKind }, "credit held for an admin");
    deps.wakeup.notify("notifications");
  }

  /** A payment or manual credit applied: the hot path (group-committed with other finishes). */
  async function markDone(job: Job, receipt: PanelReceipt): Promise<void> {
    const { credit, m } = job;
    if (credit.kind === CreditKind.BONUS) return markBonusDone(job, receipt);
    const at = now();
    const { topUpId, bonusQueued, provider } = await deps.database.hot.credits.finish(credit, receipt, at, { bonus: m.bonus, adminChats: m.adminChats });
    if (topUpId === null) {
      log.info({ ...creditFields(credit), creditId: credit.id, panelPaymentId: receipt.panelPaymentId }, "manual credit applied");
      return;
    }
    deps.metrics.topUpsCredited.inc();
    // A payment's credit is created in the same write as the payment, at its observedAt: no read needed.
    if (credit.paymentId !== null) deps.metrics.creditLatency.observe((at.getTime() - credit.createdAt.getTime()) / 1000);
    log.info({ ...creditFields(credit), provider, creditId: credit.id, panelPaymentId: receipt.panelPaymentId, bonusQueued }, "credit applied");
    deps.wakeup.notify("notifications");
    if (bonusQueued > 0) deps.wakeup.notify("credits");
  }

  /** A deposit bonus applied: no receipt (the payment's named it), but an admin who released it is told. */
  async function markBonusDone({ credit, m }: Job, receipt: PanelReceipt): Promise<void> {
    const noted = await finishBonusCredit(db, credit, receipt, m.adminChats, now());
    log.info({ creditId: credit.id, panelPaymentId: receipt.panelPaymentId }, "deposit bonus applied");
    if (noted) deps.wakeup.notify("notifications");
  }

  async function reschedule(job: Job, status: typeof CreditStatus.QUEUED | typeof CreditStatus.RECONCILE, delayMs: number, error: string, errorKind: string): Promise<void> {
    const { credit } = job;
    const at = now();
    const firstFailureAt = credit.firstFailureAt ?? at;
    if (at.getTime() - firstFailureAt.getTime() > opts.retryForMs) {
      await hold(job, `panel unavailable since ${firstFailureAt.toISOString()}: ${error}`, errorKind);
      return;
    }
    await retryCredit(db, credit, status, { firstFailureAt, nextAttemptAt: new Date(at.getTime() + delayMs), lastError: error, errorKind });
  }

  async function unknownOutcome(job: Job, detail: string): Promise<void> {
    const { credit, m } = job;
    if (m.panel.capabilities.findCredit) {
      await reconcileCredit(db, credit, new Date(now().getTime() + opts.reconcileDelayMs), detail);
      log.warn({ creditId: credit.id, detail }, "credit outcome unknown; will look for its memo on the panel");
      return;
    }
    const check = m.panel.capabilities.memo
      ? `check the panel for a payment with memo "${credit.memo}"`
      : `the panel keeps no memo: check whether ${credit.panelLogin}'s balance went up by ${decimalString(credit.amountMinor, credit.currency as Currency)} ${credit.currency}`;
    await hold(job, `outcome unknown (${detail}): ${check} before re-crediting`, "unknown");
  }

  /**
   * The credit call, noting for the concurrency limit its latency and what its outcome says about the panel's load:
   * any answer in the panel's words is a sample; 429, 5xx, "try later" and no answer are overload.
   */
  async function creditCall({ credit, m }: Job, call: PanelCallRecord) {
    const started = performance.now();
    const mark = loopDelay.begin();
    try {
      const result = await m.panel.credit(credit.panelLogin, credit.amountMinor, credit.memo);
      call.outcome = "answered";
      return result;
    } catch (err) {
      call.outcome = !(err instanceof PanelError) ? "ignored" : err.kind === "rejected" ? "answered" : "overloaded";
      throw err;
    } finally {
      call.latencyMs = performance.now() - started;
      call.loopDelayMs = loopDelay.end(mark);
    }
  }

  async function send(job: Job, call: PanelCallRecord): Promise<void> {
    const { credit, m } = job;
    try {
      const result = await creditCall(job, call);
      await m.outages.up("panel");
      await markDone(job, result);
    } catch (err) {
      if (!(err instanceof PanelError)) {
        log.error({ err, creditId: credit.id }, "unexpected error while crediting");
        await unknownOutcome(job, "unexpected error while crediting");
        return;
      }
      deps.metrics.panelErrors.inc({ kind: err.kind });
      if (err.opts.retryAfterMs !== undefined) pause(credit.merchantId, err.opts.retryAfterMs);
      if (err.kind === "rejected") {
        await hold(job, err.message, "rejected", { panelMessage: err.opts.panelMessage });
      } else if (err.kind === "unavailable") {
        await m.outages.down("panel", err.message);
        await reschedule(job, CreditStatus.QUEUED, Math.max(backoffMs(credit.attempts + 1), err.opts.retryAfterMs ?? 0), err.message, "unavailable");
      } else {
        await unknownOutcome(job, err.message);
      }
    }
  }

  /**
   * A payment-list read says nothing the limit can use: its latency is not a credit's, and it also fails when the
   * memo is beyond the pages it searches. It holds a slot all the same.
   */
  async function reconcile(job: Job): Promise<void> {
    const { credit, m } = job;
    try {
      const found = await m.panel.findCredit!(credit.memo);
      if (found) {
        log.info({ creditId: credit.id }, "memo found on the panel: the credit had been applied");
        await markDone(job, { panelPaymentId: found.panelPaymentId });
      } else {
        log.info({ creditId: credit.id }, "memo not on the panel: safe to send again");
        await requeueCredit(db, credit, now());
        deps.wakeup.notify("credits");
      }
    } catch (err) {
      if (err instanceof PanelError && err.opts.retryAfterMs !== undefined) pause(credit.merchantId, err.opts.retryAfterMs);
      const message = err instanceof Error ? err.message : String(err);
      await reschedule(job, CreditStatus.RECONCILE, backoffMs(credit.attempts + 1), `reconciling: ${message}`, "unknown");
    }
  }

  /** A SENDING claim whose lease ran out: its worker died or hung mid-call. */
  async function recoverStale(at: Date): Promise<void> {
    for (const credit of await takeStaleClaims(db, { instanceId: opts.instanceId, at, leaseMs: opts.leaseMs, merchants: deps.merchants.ids() })) {
      const m = deps.merchants.get(credit.merchantId);
      if (m) await unknownOutcome({ credit, m }, "the worker stopped while the panel call was in flight");
    }
  }

  /**
   * Each served merchant's free slots: what its own panel's limit allows, within its share of all calls and the free
   * ones of all merchants together; none while its panel asked to wait.
   */
  function room(free: number): Map<number, number> {
    const at = now().getTime();
    const rooms = new Map<number, number>();
    for (const id of deps.merchants.ids()) {
      if (at < (pausedUntil.get(id) ?? 0)) continue;
      const own = limitOf(id);
      const left = Math.min(own.available, perMerchant - own.inFlight, free);
      if (left > 0) rooms.set(id, left);
    }
    return rooms;
  }

  /** Claims as many due credits as there are free slots (one transaction) and starts each at once. */
  async function fill(): Promise<boolean> {
    const free = mostInFlight - inFlight.size;
    if (free <= 0) return false;
    const merchants = room(free);
    if (merchants.size === 0) return false;
    const wanted = Math.min(free, [...merchants.values()].reduce((a, b) => a + b, 0));
    const claimed = await deps.database.hot.credits.claim({ instanceId: opts.instanceId, at: now(), leaseMs: opts.leaseMs, limit: wanted, room: merchants });
    for (const credit of claimed) launch(credit);
    return claimed.length === wanted;
  }

  /** A slot is held for the whole attempt (call and bookkeeping); the limit learns from the panel call alone. */
  function launch(credit: ClaimedCredit): void {
    const m = deps.merchants.get(credit.merchantId);
    // Dropped between the claim and now: its lease runs out and whoever serves the merchant takes it as stale.
    if (!m) return;
    const job = { credit, m };
    const own = limitOf(credit.merchantId);
    const permit = own.acquire();
    const call: PanelCallRecord = { outcome: "ignored", latencyMs: 0, loopDelayMs: 0 };
    const work = (credit.claimedAs === CreditStatus.SENDING ? send(job, call) : reconcile(job))
      .catch((err) => log.error({ err, creditId: credit.id }, "credit attempt failed; its lease expiry brings it back"))
      .finally(() => {
        const was = own.limit;
        own.release(permit, call.outcome, call.latencyMs, call.loopDelayMs);
        limitSum += own.limit - was;
        showLimit();
        inFlight.delete(work);
        loop.wake();
      });
    inFlight.add(work);
  }

  /**
   * A merchant's panel answered with a Retry-After: no new calls to it until then (each rescheduled credit waits as
   * long); the other merchants' panels are called as before.
   */
  function pause(merchantId: number, ms: number): void {
    const until = now().getTime() + ms;
    const was = pausedUntil.get(merchantId) ?? 0;
    if (until <= was) return;
    if (was <= now().getTime()) log.warn({ merchantId, retryAfterMs: ms }, "panel asked to wait (Retry-After); pausing panel calls");
    pausedUntil.set(merchantId, until);
    clearTimeout(resumeTimers.get(merchantId));
    const timer = setTimeout(() => {
      resumeTimers.delete(merchantId);
      pausedUntil.delete(merchantId);
      loop.wake();
    }, ms);
    timer.unref();
    resumeTimers.set(merchantId, timer);
  }

  /**
   * The gauge follows every change; the log line comes at most every LIMIT_LOG_EVERY_MS with the value reached
   * (each pass calls this too, so the last change is logged even when no call follows it).
   */
  function showLimit(): void {
    const value = shownValue();
    if (value !== shownLimit) {
      shownLimit = value;
      deps.metrics.crediterConcurrencyLimit.set(value);
    }
    if (value === loggedLimit) return;
    const at = now().getTime();
    if (at - loggedAt < LIMIT_LOG_EVERY_MS) return;
    log.info({ limit: value, was: loggedLimit, inFlight: inFlight.size }, "crediter concurrency limit changed");
    loggedLimit = value;
    loggedAt = at;
  }

  /**
   * One limit per merchant: each merchant's credits go to its own panel, so one panel's timeouts lower only its own
   * limit, never the other shops'. All merchants together keep at most the most one limit allows in flight.
   */
  const limits = new Map<number, ConcurrencyLimit>();
  const mostInFlight = typeof opts.concurrency === "number" ? opts.concurrency : opts.concurrency.adaptiveMax;
  /** The sum of the limits (kept as they change): the gauge shows it, capped at mostInFlight (a single shop's own limit). */
  let limitSum = 0;
  const limitOf = (id: number): ConcurrencyLimit => {
    let own = limits.get(id);
    if (!own) {
      limits.set(id, (own = createConcurrencyLimit(opts.concurrency)));
      limitSum += own.limit;
    }
    return own;
  };
  /** A merchant no longer served leaves with its last call. */
  const forgetUnserved = () => {
    const served = new Set(deps.merchants.ids());
    for (const [id, own] of limits) {
      if (served.has(id) || own.inFlight > 0) continue;
      limits.delete(id);
      limitSum -= own.limit;
    }
  };
  const shownValue = () => (limits.size === 0 ? createConcurrencyLimit(opts.concurrency).limit : Math.min(mostInFlight, limitSum));
  const loopDelay = new LoopDelayClock();
  let shownLimit = shownValue();
  let loggedLimit = shownLimit;
  let loggedAt = 0;
  deps.metrics.crediterConcurrencyLimit.set(shownLimit);
  /** By merchant: when its panel's Retry-After ends (entries leave when it does). */
  const pausedUntil = new Map<number, number>();
  const resumeTimers = new Map<number, NodeJS.Timeout>();

  let lastRecovery = 0;
  async function pass(): Promise<boolean> {
    const at = now();
    showLimit();
    if (at.getTime() - lastRecovery >= opts.sweepMs) {
      lastRecovery = at.getTime();
      forgetUnserved();
      try {
        await recoverStale(at);
      } catch (err) {
        log.error({ err }, "recovering stale credit claims failed; retrying on the next sweep");
      }
    }
    return fill();
  }

  const inFlight = new Set<Promise<void>>();
  // Panel calls stay continuously in flight: each one finishing wakes the loop, and completions and
  // wake-ups in the same turn share one claim. Passes every sweepMs recover stale claims and catch lost wake-ups.
  const loop = createWorkLoop("crediter", pass, { sweepMs: opts.sweepMs, log });
  let unsubscribe: (() => void) | null = null;
  return {
    get running() {
      return loop.running;
    },
    start() {
      if (loop.running) return;
      unsubscribe = deps.wakeup.on("credits", () => loop.wake());
      loop.start();
    },
    wake: () => loop.wake(),
    async stop() {
      unsubscribe?.();
      for (const timer of resumeTimers.values()) clearTimeout(timer);
      await loop.stop();
      await Promise.all([...inFlight]);
    },
  };
}

/** What an operator searches a credit line by: the memo (`KHQR <reference> <payment id>`), login and amount. */
function creditFields(credit: Credit): Record<string, string> {
  return { memo: credit.memo, login: credit.panelLogin, amount: `${decimalString(Number(credit.amountMinor), credit.currency as Currency)} ${credit.currency}` };
}
