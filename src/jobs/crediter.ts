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
import { createConcurrencyLimit, type CallOutcome, type ConcurrencySetting } from "./concurrency-limit.js";

export interface CrediterOptions {
  /** Keep retrying an unavailable panel this long, then hold the credit for an admin. */
  retryForMs: number;
  /** A claim older than this means its worker died mid-call: the outcome is unknown. Must exceed the panel timeout. */
  leaseMs: number;
  /** Wait this long after an unknown outcome before looking for the memo, so a late write shows up. */
  reconcileDelayMs: number;
  /** Panel calls in flight at once: CREDIT_CONCURRENCY when set, else adaptive up to PANEL_MAX_CONNECTIONS. */
  concurrency: ConcurrencySetting;
  sweepMs: number;
  instanceId: string;
}

export interface CrediterDeps {
  database: LedgerDatabase;
  panel: PanelClient;
  wakeup: Wakeup;
  outages: OutageTracker;
  log: Logger;
  metrics: Metrics;
  adminChats: readonly bigint[];
  /** TOPUP_BONUS: a payment credit that is done queues its deposit bonus; none when absent. */
  bonus?: BonusPolicy;
  now?: () => Date;
}

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A changing concurrency limit is logged at most this often (the gauge shows every value). */
const LIMIT_LOG_EVERY_MS = 10_000;

/** What one credit attempt's panel call showed, for the concurrency limit. */
interface PanelCallRecord {
  outcome: CallOutcome;
  latencyMs: number;
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

  async function hold(credit: Credit, reason: string, errorKind: string, extra: { panelMessage?: string } = {}): Promise<void> {
    const lastError = extra.panelMessage ? `${reason} (panel said: ${extra.panelMessage})` : reason;
    await holdCredit(db, credit, lastError, errorKind, deps.adminChats, now());
    deps.metrics.creditsHeld.inc({ reason: errorKind });
    log.warn({ creditId: credit.id, reason, errorKind }, "credit held for an admin");
    deps.wakeup.notify("notifications");
  }

  /** A payment or manual credit applied: the hot path (group-committed with other finishes). */
  async function markDone(credit: Credit, receipt: PanelReceipt): Promise<void> {
    if (credit.kind === CreditKind.BONUS) return markBonusDone(credit, receipt);
    const at = now();
    const { topUpId, bonusQueued, provider } = await deps.database.hot.credits.finish(credit, receipt, at, { bonus: deps.bonus, adminChats: deps.adminChats });
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
  async function markBonusDone(credit: Credit, receipt: PanelReceipt): Promise<void> {
    const noted = await finishBonusCredit(db, credit, receipt, deps.adminChats, now());
    log.info({ creditId: credit.id, panelPaymentId: receipt.panelPaymentId }, "deposit bonus applied");
    if (noted) deps.wakeup.notify("notifications");
  }

  async function reschedule(credit: Credit, status: typeof CreditStatus.QUEUED | typeof CreditStatus.RECONCILE, delayMs: number, error: string, errorKind: string): Promise<void> {
    const at = now();
    const firstFailureAt = credit.firstFailureAt ?? at;
    if (at.getTime() - firstFailureAt.getTime() > opts.retryForMs) {
      await hold(credit, `panel unavailable since ${firstFailureAt.toISOString()}: ${error}`, errorKind);
      return;
    }
    await retryCredit(db, credit, status, { firstFailureAt, nextAttemptAt: new Date(at.getTime() + delayMs), lastError: error, errorKind });
  }

  async function unknownOutcome(credit: Credit, detail: string): Promise<void> {
    if (deps.panel.capabilities.findCredit) {
      await reconcileCredit(db, credit, new Date(now().getTime() + opts.reconcileDelayMs), detail);
      log.warn({ creditId: credit.id, detail }, "credit outcome unknown; will look for its memo on the panel");
      return;
    }
    const check = deps.panel.capabilities.memo
      ? `check the panel for a payment with memo "${credit.memo}"`
      : `the panel keeps no memo: check whether ${credit.panelLogin}'s balance went up by ${decimalString(credit.amountMinor, credit.currency as Currency)} ${credit.currency}`;
    await hold(credit, `outcome unknown (${detail}): ${check} before re-crediting`, "unknown");
  }

  /**
   * The credit call, noting for the concurrency limit its latency and what its outcome says about the panel's load:
   * any answer in the panel's words is a sample; 429, 5xx, "try later" and no answer are overload.
   */
  async function creditCall(credit: Credit, call: PanelCallRecord) {
    const started = performance.now();
    try {
      const result = await deps.panel.credit(credit.panelLogin, credit.amountMinor, credit.memo);
      call.outcome = "answered";
      return result;
    } catch (err) {
      call.outcome = !(err instanceof PanelError) ? "ignored" : err.kind === "rejected" ? "answered" : "overloaded";
      throw err;
    } finally {
      call.latencyMs = performance.now() - started;
    }
  }

  async function send(credit: Credit, call: PanelCallRecord): Promise<void> {
    try {
      const result = await creditCall(credit, call);
      await deps.outages.up("panel");
      await markDone(credit, result);
    } catch (err) {
      if (!(err instanceof PanelError)) {
        log.error({ err, creditId: credit.id }, "unexpected error while crediting");
        await unknownOutcome(credit, "unexpected error while crediting");
        return;
      }
      deps.metrics.panelErrors.inc({ kind: err.kind });
      if (err.opts.retryAfterMs !== undefined) pause(err.opts.retryAfterMs);
      if (err.kind === "rejected") {
        await hold(credit, err.message, "rejected", { panelMessage: err.opts.panelMessage });
      } else if (err.kind === "unavailable") {
        await deps.outages.down("panel", err.message);
        await reschedule(credit, CreditStatus.QUEUED, Math.max(backoffMs(credit.attempts + 1), err.opts.retryAfterMs ?? 0), err.message, "unavailable");
      } else {
        await unknownOutcome(credit, err.message);
      }
    }
  }

  /**
   * A payment-list read says nothing the limit can use: its latency is not a credit's, and it also fails when the
   * memo is beyond the pages it searches. It holds a slot all the same.
   */
  async function reconcile(credit: Credit): Promise<void> {
    try {
      const found = await deps.panel.findCredit!(credit.memo);
      if (found) {
        log.info({ creditId: credit.id }, "memo found on the panel: the credit had been applied");
        await markDone(credit, { panelPaymentId: found.panelPaymentId });
      } else {
        log.info({ creditId: credit.id }, "memo not on the panel: safe to send again");
        await requeueCredit(db, credit, now());
        deps.wakeup.notify("credits");
      }
    } catch (err) {
      if (err instanceof PanelError && err.opts.retryAfterMs !== undefined) pause(err.opts.retryAfterMs);
      const message = err instanceof Error ? err.message : String(err);
      await reschedule(credit, CreditStatus.RECONCILE, backoffMs(credit.attempts + 1), `reconciling: ${message}`, "unknown");
    }
  }

  /** A SENDING claim whose lease ran out: its worker died or hung mid-call. */
  async function recoverStale(at: Date): Promise<void> {
    for (const credit of await takeStaleClaims(db, { instanceId: opts.instanceId, at, leaseMs: opts.leaseMs })) {
      await unknownOutcome(credit, "the worker stopped while the panel call was in flight");
    }
  }

  /** Claims as many due credits as there are free slots (one statement) and starts each at once. */
  async function fill(): Promise<boolean> {
    if (now().getTime() < pausedUntil) return false;
    const free = limit.available;
    if (free <= 0) return false;
    const claimed = await deps.database.hot.credits.claim({ instanceId: opts.instanceId, at: now(), leaseMs: opts.leaseMs, limit: free });
    for (const credit of claimed) launch(credit);
    return claimed.length === free;
  }

  /** A slot is held for the whole attempt (call and bookkeeping); the limit learns from the panel call alone. */
  function launch(credit: ClaimedCredit): void {
    const permit = limit.acquire();
    const call: PanelCallRecord = { outcome: "ignored", latencyMs: 0 };
    const work = (credit.claimedAs === CreditStatus.SENDING ? send(credit, call) : reconcile(credit))
      .catch((err) => log.error({ err, creditId: credit.id }, "credit attempt failed; its lease expiry brings it back"))
      .finally(() => {
        limit.release(permit, call.outcome, call.latencyMs);
        showLimit();
        inFlight.delete(work);
        loop.wake();
      });
    inFlight.add(work);
  }

  /** The panel answered with a Retry-After: no new calls until then (each rescheduled credit waits as long). */
  function pause(ms: number): void {
    const until = now().getTime() + ms;
    if (until <= pausedUntil) return;
    if (pausedUntil <= now().getTime()) log.warn({ retryAfterMs: ms }, "panel asked to wait (Retry-After); pausing panel calls");
    pausedUntil = until;
    if (resumeTimer) clearTimeout(resumeTimer);
    resumeTimer = setTimeout(() => loop.wake(), ms);
    resumeTimer.unref();
  }

  /**
   * The gauge follows every change; the log line comes at most every LIMIT_LOG_EVERY_MS with the value reached
   * (each pass calls this too, so the last change is logged even when no call follows it).
   */
  function showLimit(): void {
    const value = limit.limit;
    if (value !== shownLimit) {
      shownLimit = value;
      deps.metrics.crediterConcurrencyLimit.set(value);
    }
    if (value === loggedLimit) return;
    const at = now().getTime();
    if (at - loggedAt < LIMIT_LOG_EVERY_MS) return;
    log.info({ limit: value, was: loggedLimit, inFlight: limit.inFlight }, "crediter concurrency limit changed");
    loggedLimit = value;
    loggedAt = at;
  }

  const limit = createConcurrencyLimit(opts.concurrency);
  let shownLimit = limit.limit;
  let loggedLimit = shownLimit;
  let loggedAt = 0;
  deps.metrics.crediterConcurrencyLimit.set(shownLimit);
  let pausedUntil = 0;
  let resumeTimer: NodeJS.Timeout | undefined;

  let lastRecovery = 0;
  async function pass(): Promise<boolean> {
    const at = now();
    showLimit();
    if (at.getTime() - lastRecovery >= opts.sweepMs) {
      lastRecovery = at.getTime();
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
      clearTimeout(resumeTimer);
      await loop.stop();
      await Promise.all([...inFlight]);
    },
  };
}

/** What an operator searches a credit line by: the memo (`KHQR <reference> <payment id>`), login and amount. */
function creditFields(credit: Credit): Record<string, string> {
  return { memo: credit.memo, login: credit.panelLogin, amount: `${decimalString(Number(credit.amountMinor), credit.currency as Currency)} ${credit.currency}` };
}
