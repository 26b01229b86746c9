import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { WorkLoop } from "./loop.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { OutageTracker } from "../notify/outages.js";
import { noteReleasedBonus, queueBonusCredit, type BonusPolicy } from "../ledger/bonus-credit.js";
import { claimDueCredits, type ClaimedCredit } from "../ledger/claims.js";
import { moveCredit, moveTopUp } from "../ledger/moves.js";
import { enqueueNotification } from "../notify/outbox.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../payments/states.js";
import type { Credit } from "../generated/sqlite/client.js";
import { PanelError, type PanelClient } from "../panel/panel-client.js";

export interface CrediterOptions {
  /** Keep retrying an unavailable panel this long, then hold the credit for an admin. */
  retryForMs: number;
  /** A claim older than this means its worker died mid-call: the outcome is unknown. Must exceed the panel timeout. */
  leaseMs: number;
  /** Wait this long after an unknown outcome before looking for the memo, so a late write shows up. */
  reconcileDelayMs: number;
  /** Panel calls in flight at once (CREDIT_CONCURRENCY). */
  concurrency: number;
  sweepMs: number;
  instanceId: string;
}

export interface CrediterDeps {
  database: Database;
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
    const at = now();
    await db.$transaction(async (tx) => {
      const lastError = extra.panelMessage ? `${reason} (panel said: ${extra.panelMessage})` : reason;
      await moveCredit(tx, credit.id, CreditStatus.HELD, { lastError, errorKind, claimedBy: null, claimedUntil: null }, { required: true });
      // A held bonus waits for an admin alone: its top-up was credited and the customer has the receipt.
      if (credit.topUpId !== null && credit.kind !== CreditKind.BONUS) {
        // Only a top-up waiting for this credit is held; a credited (earlier payment) or refunded one keeps its state.
        await moveTopUp(tx, credit.topUpId, TopUpStatus.HELD, {}, { from: [TopUpStatus.PAID] });
        const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: credit.topUpId }, select: { id: true, chatId: true } });
        await enqueueNotification(tx, [topUp.chatId], `held:${topUp.id}`, { kind: "topup.held", topUpId: topUp.id }, at);
      }
      await enqueueNotification(tx, deps.adminChats, `credit-held:${credit.id}:${credit.attempts}`, { kind: "admin.held", creditId: credit.id }, at);
    });
    deps.metrics.creditsHeld.inc({ reason: errorKind });
    log.warn({ creditId: credit.id, reason, errorKind }, "credit held for an admin");
    deps.wakeup.notify("notifications");
  }

  async function markDone(credit: Credit, result: { panelPaymentId?: string; balanceMinor?: number }): Promise<void> {
    const at = now();
    const isBonus = credit.kind === CreditKind.BONUS;
    let bonusQueued = 0;
    let noted = false;
    await db.$transaction(async (tx) => {
      await moveCredit(
        tx, credit.id, CreditStatus.DONE,
        { doneAt: at, panelPaymentId: result.panelPaymentId ?? null, balanceMinor: result.balanceMinor ?? null, claimedBy: null, claimedUntil: null, lastError: null },
        { required: true },
      );
      if (credit.topUpId === null) return;
      const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: credit.topUpId } });
      if (result.balanceMinor !== undefined) {
        await tx.user.update({ where: { id: topUp.userId }, data: { lastBalanceMinor: result.balanceMinor } });
      }
      // The payment's receipt already names its bonus, and the top-up was credited with the payment.
      if (isBonus) {
        noted = await noteReleasedBonus(tx, credit.id, topUp.reference, deps.adminChats, at);
        return;
      }
      const late = topUp.status === TopUpStatus.HELD ? false : topUp.expiresAt < (topUp.paidAt ?? at);
      await moveTopUp(tx, topUp.id, TopUpStatus.CREDITED, { creditedAt: at });
      bonusQueued = await queueBonusCredit(tx, deps.database.dialect, credit, deps.bonus, at);
      await enqueueNotification(tx, [topUp.chatId], `credited:${credit.id}`, { kind: "topup.credited", topUpId: topUp.id, late }, at);
    });
    if (isBonus) {
      log.info({ creditId: credit.id, panelPaymentId: result.panelPaymentId }, "deposit bonus applied");
      if (noted) deps.wakeup.notify("notifications");
      return;
    }
    deps.metrics.topUpsCredited.inc();
    // A payment's credit is created in the same write as the payment, at its observedAt: no read needed.
    if (credit.paymentId !== null) deps.metrics.creditLatency.observe((at.getTime() - credit.createdAt.getTime()) / 1000);
    log.info({ creditId: credit.id, panelPaymentId: result.panelPaymentId, bonusQueued }, "credit applied");
    deps.wakeup.notify("notifications");
    if (bonusQueued > 0) deps.wakeup.notify("credits");
  }

  async function reschedule(credit: Credit, status: CreditStatus, delayMs: number, error: string, errorKind: string): Promise<void> {
    const at = now();
    const firstFailureAt = credit.firstFailureAt ?? at;
    if (at.getTime() - firstFailureAt.getTime() > opts.retryForMs) {
      await hold(credit, `panel unavailable since ${firstFailureAt.toISOString()}: ${error}`, errorKind);
      return;
    }
    await moveCredit(
      db, credit.id, status,
      { attempts: credit.attempts + 1, firstFailureAt, nextAttemptAt: new Date(at.getTime() + delayMs), lastError: error, errorKind, claimedBy: null, claimedUntil: null },
      { required: true },
    );
  }

  async function unknownOutcome(credit: Credit, detail: string): Promise<void> {
    if (deps.panel.capabilities.findCredit) {
      await moveCredit(
        db, credit.id, CreditStatus.RECONCILE,
        { nextAttemptAt: new Date(now().getTime() + opts.reconcileDelayMs), lastError: detail, errorKind: "unknown", claimedBy: null, claimedUntil: null },
        { required: true },
      );
      log.warn({ creditId: credit.id, detail }, "credit outcome unknown; will look for its memo on the panel");
      return;
    }
    await hold(credit, `outcome unknown (${detail}): check the panel for a payment with memo "${credit.memo}" before re-crediting`, "unknown");
  }

  async function send(credit: Credit): Promise<void> {
    try {
      const result = await deps.panel.credit(credit.panelLogin, credit.amountMinor, credit.memo);
      await deps.outages.up("panel");
      await markDone(credit, result);
    } catch (err) {
      if (!(err instanceof PanelError)) {
        log.error({ err, creditId: credit.id }, "unexpected error while crediting");
        await unknownOutcome(credit, "unexpected error while crediting");
        return;
      }
      deps.metrics.panelErrors.inc({ kind: err.kind });
      if (err.kind === "rejected") {
        await hold(credit, err.message, "rejected", { panelMessage: err.opts.panelMessage });
      } else if (err.kind === "unavailable") {
        await deps.outages.down("panel", err.message);
        await reschedule(credit, CreditStatus.QUEUED, backoffMs(credit.attempts + 1), err.message, "unavailable");
      } else {
        await unknownOutcome(credit, err.message);
      }
    }
  }

  async function reconcile(credit: Credit): Promise<void> {
    try {
      const found = await deps.panel.findCredit!(credit.memo);
      if (found) {
        log.info({ creditId: credit.id }, "memo found on the panel: the credit had been applied");
        await markDone(credit, { panelPaymentId: found.panelPaymentId });
      } else {
        log.info({ creditId: credit.id }, "memo not on the panel: safe to send again");
        await moveCredit(db, credit.id, CreditStatus.QUEUED, { nextAttemptAt: now(), claimedBy: null, claimedUntil: null }, { required: true });
        deps.wakeup.notify("credits");
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await reschedule(credit, CreditStatus.RECONCILE, backoffMs(credit.attempts + 1), `reconciling: ${message}`, "unknown");
    }
  }

  /** A SENDING claim whose lease ran out: its worker died or hung mid-call. */
  async function recoverStale(at: Date): Promise<void> {
    const stale = await db.credit.findMany({ where: { status: CreditStatus.SENDING, claimedUntil: { lt: at } }, take: 100 });
    for (const credit of stale) {
      const taken = await db.credit.updateMany({
        where: { id: credit.id, status: CreditStatus.SENDING, claimedUntil: credit.claimedUntil },
        data: { claimedBy: opts.instanceId, claimedUntil: new Date(at.getTime() + opts.leaseMs) },
      });
      if (taken.count === 1) await unknownOutcome(credit, "the worker stopped while the panel call was in flight");
    }
  }

  /** Claims as many due credits as there are free slots (one statement) and starts each at once. */
  async function fill(): Promise<void> {
    for (;;) {
      const free = opts.concurrency - inFlight.size;
      if (!running || free <= 0) return;
      const claimed = await claimDueCredits(deps.database, { instanceId: opts.instanceId, at: now(), leaseMs: opts.leaseMs, limit: free });
      if (claimed.length === 0) return;
      const rows = new Map((await db.credit.findMany({ where: { id: { in: claimed.map((c) => c.id) } } })).map((c) => [c.id, c]));
      for (const c of claimed) launch(rows.get(c.id)!, c.status);
      if (claimed.length < free) return;
    }
  }

  function launch(credit: Credit, claimedAs: ClaimedCredit["status"]): void {
    const work = (claimedAs === CreditStatus.SENDING ? send(credit) : reconcile(credit))
      .catch((err) => log.error({ err, creditId: credit.id }, "credit attempt failed; its lease expiry brings it back"))
      .finally(() => {
        inFlight.delete(work);
        scheduleFill();
      });
    inFlight.add(work);
  }

  // Completions and wake-ups in the same turn share one claim.
  let filling: Promise<void> | null = null;
  let fillAgain = false;
  let fillScheduled = false;
  function scheduleFill(): void {
    if (!running || fillScheduled) return;
    fillScheduled = true;
    setImmediate(() => {
      fillScheduled = false;
      void runFill();
    });
  }
  function runFill(): Promise<void> {
    if (filling) {
      fillAgain = true;
      return filling;
    }
    filling = (async () => {
      do {
        fillAgain = false;
        try {
          await fill();
        } catch (err) {
          log.error({ err }, "claiming credits failed; retrying on the next sweep");
        }
      } while (fillAgain && running);
    })().finally(() => {
      filling = null;
    });
    return filling;
  }

  async function sweep(): Promise<void> {
    try {
      await recoverStale(now());
    } catch (err) {
      log.error({ err }, "recovering stale credit claims failed; retrying on the next sweep");
    }
    await runFill();
  }

  const inFlight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  const tick = () => {
    void sweep().finally(() => {
      if (running) timer = setTimeout(tick, opts.sweepMs).unref();
    });
  };

  /**
   * Panel calls stay continuously in flight: whenever one finishes, its slot is claimed again
   * (no end-of-pass barrier). Sweeps every sweepMs recover stale claims and catch lost wake-ups.
   */
  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      unsubscribe = deps.wakeup.on("credits", scheduleFill);
      tick();
    },
    wake: scheduleFill,
    async stop() {
      running = false;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await filling;
      await Promise.all([...inFlight]);
    },
  };
}
