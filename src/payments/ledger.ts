import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { moveTopUp } from "../ledger/moves.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { enqueueNotification, type NotificationPayload } from "../notify/outbox.js";
import { formatMoney, khrToUsdCents, type Currency } from "./money.js";
import type { PaymentObservation } from "./provider.js";
import { CreditKind, CreditStatus, PaymentFlag, TopUpStatus, type ObservationSource } from "./states.js";

export interface LedgerDeps {
  database: Database;
  wakeup: Wakeup;
  log: Logger;
  metrics: Metrics;
  panelCurrency: Currency;
  khrPerUsd: number;
  adminChats: readonly bigint[];
  now?: () => Date;
}

/** Every verified observation ends as exactly one of these, and all but "duplicate" add a payment row. */
export type RecordOutcome =
  | { outcome: "recorded"; paymentId: number; topUpId: number; flag: PaymentFlag; creditId: number }
  /** Recorded, credit HELD for an admin; the admins and the customer are told. */
  | { outcome: "held"; paymentId: number; topUpId: number; flag: PaymentFlag; creditId: number; reason: string }
  /** Recorded without a top-up of ours (unknown reference, or another provider's): admins are told. */
  | { outcome: "orphan"; paymentId: number; reason: string }
  /** This provider transaction was recorded before. */
  | { outcome: "duplicate"; paymentId: number }
  /**
   * Unsigned and for no top-up of ours with this provider: a reference of ours is part of what
   * verifies an unsigned notification, so this one is not verified. Nothing is stored.
   */
  | { outcome: "unverified" };

export interface RecordOptions {
  source: ObservationSource;
  /**
   * Vouched for by a signature or by the provider's status API. An unsigned observation (a webhook
   * protected only by a secret URL) is credited automatically only when it is the exact first payment.
   */
  signed: boolean;
}

/** The memo that tags a credit on the panel; unique, so a credit can be found again by it. */
export function creditMemo(reference: string, paymentId: number): string {
  return `KHQR ${reference} ${paymentId}`;
}

/** Converts a paid amount into the panel's currency; the rate is recorded when one was used. */
export function toPanelAmount(amountMinor: number, currency: Currency, panelCurrency: Currency, khrPerUsd: number): { amountMinor: number; rate: string | null } {
  if (currency === panelCurrency) return { amountMinor, rate: null };
  if (currency === "KHR") return { amountMinor: khrToUsdCents(amountMinor, khrPerUsd), rate: String(khrPerUsd) };
  // USD cents to whole riel is exact.
  return { amountMinor: (amountMinor * khrPerUsd) / 100, rate: String(khrPerUsd) };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === "P2002";
}

export interface Verdict {
  flag: PaymentFlag;
  /** Set when the payment must wait for an admin: the reason in plain words. */
  holdReason: string | null;
}

/** Decides what a payment on one of our top-ups is; pure, so the rule reads in one place. */
export function judgePayment(obs: PaymentObservation, topUp: Pick<TopUp, "amountMinor" | "currency" | "provider">, priorPayments: number, signed: boolean): Verdict {
  const paid = formatMoney(obs.amountMinor, obs.currency);
  const ordered = formatMoney(topUp.amountMinor, topUp.currency as Currency);
  const mismatch =
    obs.currency !== topUp.currency ? { flag: PaymentFlag.CURRENCY_MISMATCH, why: `paid ${paid} in another currency than the order (${ordered})` }
    : obs.amountMinor < topUp.amountMinor ? { flag: PaymentFlag.UNDERPAID, why: `paid ${paid}, less than the ${ordered} ordered` }
    : obs.amountMinor > topUp.amountMinor ? { flag: PaymentFlag.OVERPAID, why: `paid ${paid}, more than the ${ordered} ordered` }
    : null;
  const reasons = [mismatch?.why, obs.holdReason].filter((r): r is string => Boolean(r));
  if (priorPayments > 0 && !signed) {
    reasons.push(`a further payment on an order already paid, reported by ${topUp.provider} whose notifications are not signed: confirm it at ${topUp.provider} first`);
  }
  const flag = mismatch?.flag ?? (priorPayments > 0 ? PaymentFlag.REPEAT : obs.holdReason ? PaymentFlag.REVIEW : PaymentFlag.OK);
  return { flag, holdReason: reasons.length > 0 ? reasons.join("; ") : null };
}

/** A payment on an open or lapsed top-up settles it; a further payment leaves its state alone. */
export const SETTLED_BY_A_PAYMENT = [TopUpStatus.PENDING, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED] as const;

export function orphanReason(obs: PaymentObservation, topUp: Pick<TopUp, "provider"> | null): string {
  const sent = obs.reference ? `reference ${obs.reference}` : obs.md5 ? `QR md5 ${obs.md5}` : "no reference";
  return !topUp ? `no top-up of ours matches ${sent}` : `${sent} is a top-up paid through ${topUp.provider}, not ${obs.provider}`;
}

/** The credit a payment on one of our top-ups queues (or holds), in the panel's currency. */
export function creditFor(deps: Pick<LedgerDeps, "panelCurrency" | "khrPerUsd">, obs: PaymentObservation, topUp: Pick<TopUp, "id" | "panelLogin" | "reference">, paymentId: number, verdict: Verdict, now: Date) {
  const held = verdict.holdReason !== null;
  const amount = toPanelAmount(obs.amountMinor, obs.currency, deps.panelCurrency, deps.khrPerUsd);
  return {
    paymentId, topUpId: topUp.id, panelLogin: topUp.panelLogin, amountMinor: amount.amountMinor, currency: deps.panelCurrency, rate: amount.rate,
    memo: creditMemo(topUp.reference, paymentId), kind: CreditKind.PAYMENT, status: held ? CreditStatus.HELD : CreditStatus.QUEUED,
    nextAttemptAt: now, createdAt: now, lastError: verdict.holdReason, errorKind: held ? "flagged" : null,
  };
}

export interface PlannedNote {
  chatIds: readonly bigint[];
  key: string;
  payload: NotificationPayload;
}

export function orphanNotes(deps: Pick<LedgerDeps, "adminChats">, paymentId: number, reason: string): PlannedNote[] {
  return [{ chatIds: deps.adminChats, key: `payment:${paymentId}`, payload: { kind: "admin.orphan", paymentId, reason } }];
}

/** The admins always hear of a payment; the customer, when it is held. */
export function paymentNotes(deps: Pick<LedgerDeps, "adminChats">, paymentId: number, topUp: Pick<TopUp, "id" | "chatId">, verdict: Verdict): PlannedNote[] {
  const held = verdict.holdReason !== null;
  const adminKind = held ? "admin.flagged" : verdict.flag === PaymentFlag.REPEAT ? "admin.repeat" : "admin.payment";
  const notes: PlannedNote[] = [{ chatIds: deps.adminChats, key: `payment:${paymentId}`, payload: { kind: adminKind, paymentId } }];
  if (held) notes.push({ chatIds: [topUp.chatId], key: `held-payment:${paymentId}`, payload: { kind: "topup.held", topUpId: topUp.id, paymentId } });
  return notes;
}

/**
 * Records a verified payment exactly once, then decides: credit queued, or held for an admin, or
 * (no top-up of ours) kept as an orphan. Webhook and poller both end here; the unique key
 * (provider, providerTxnId) decides what is a duplicate. Never refuses a verified observation.
 */
export async function recordPayment(deps: LedgerDeps, obs: PaymentObservation, opts: RecordOptions): Promise<RecordOutcome> {
  const now = deps.now?.() ?? new Date();
  const result = deps.database.recorder ? await deps.database.recorder.record(deps, obs, opts, now) : await recordWithPrisma(deps, obs, opts, now);
  if (result.outcome !== "duplicate" && result.outcome !== "unverified") {
    const flag = result.outcome === "orphan" ? PaymentFlag.ORPHAN : result.flag;
    deps.metrics.topUpsPaid.inc({ provider: obs.provider, flag, source: opts.source });
    const level = result.outcome === "recorded" ? "info" : "warn";
    deps.log[level]({ provider: obs.provider, paymentId: result.paymentId, outcome: result.outcome, flag, source: opts.source }, "payment recorded");
    if (result.outcome === "recorded") deps.wakeup.notify("credits");
    deps.wakeup.notify("notifications");
  }
  return result;
}

/** PostgreSQL (and any database without the synchronous SQLite path): one interactive transaction. */
async function recordWithPrisma(deps: LedgerDeps, obs: PaymentObservation, opts: RecordOptions, now: Date): Promise<RecordOutcome> {
  const { db } = deps.database;
  const existing = await db.payment.findUnique({ where: { provider_providerTxnId: { provider: obs.provider, providerTxnId: obs.providerTxnId } }, select: { id: true } });
  if (existing) return { outcome: "duplicate", paymentId: existing.id };

  let result: RecordOutcome;
  try {
    result = await db.$transaction(async (tx): Promise<RecordOutcome> => {
      const topUp = obs.reference
        ? await tx.topUp.findUnique({ where: { reference: obs.reference } })
        : obs.md5
          ? await tx.topUp.findFirst({ where: { md5: obs.md5 } })
          : null;
      const paymentData = {
        provider: obs.provider, providerTxnId: obs.providerTxnId, amountMinor: obs.amountMinor, currency: obs.currency, source: opts.source,
        payer: obs.payer ?? null, raw: JSON.stringify(obs.raw ?? null), reference: obs.reference ?? obs.md5 ?? null, observedAt: now,
      };

      if (!topUp || topUp.provider !== obs.provider) {
        if (!opts.signed) return { outcome: "unverified" };
        const reason = orphanReason(obs, topUp);
        const payment = await tx.payment.create({ data: { ...paymentData, topUpId: null, flag: PaymentFlag.ORPHAN } });
        for (const note of orphanNotes(deps, payment.id, reason)) await enqueueNotification(tx, note.chatIds, note.key, note.payload, now);
        return { outcome: "orphan", paymentId: payment.id, reason };
      }

      const priorPayments = await tx.payment.count({ where: { topUpId: topUp.id } });
      const verdict = judgePayment(obs, topUp, priorPayments, opts.signed);
      const held = verdict.holdReason !== null;
      const payment = await tx.payment.create({ data: { ...paymentData, topUpId: topUp.id, flag: verdict.flag } });
      const credit = await tx.credit.create({ data: creditFor(deps, obs, topUp, payment.id, verdict, now) });
      await moveTopUp(tx, topUp.id, held ? TopUpStatus.HELD : TopUpStatus.PAID, { paidAt: topUp.paidAt ?? now, nextPollAt: null }, { from: SETTLED_BY_A_PAYMENT });
      for (const note of paymentNotes(deps, payment.id, topUp, verdict)) await enqueueNotification(tx, note.chatIds, note.key, note.payload, now);
      return held
        ? { outcome: "held", paymentId: payment.id, topUpId: topUp.id, flag: verdict.flag, creditId: credit.id, reason: verdict.holdReason! }
        : { outcome: "recorded", paymentId: payment.id, topUpId: topUp.id, flag: verdict.flag, creditId: credit.id };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await db.payment.findUnique({ where: { provider_providerTxnId: { provider: obs.provider, providerTxnId: obs.providerTxnId } }, select: { id: true } });
    if (!winner) throw err;
    return { outcome: "duplicate", paymentId: winner.id };
  }
  return result;
}
