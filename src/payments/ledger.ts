import type { Database } from "../db/database.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { enqueueNotification } from "../notify/outbox.js";
import { khrToUsdCents, type Currency } from "./money.js";
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

export type RecordOutcome =
  | { outcome: "recorded"; paymentId: number; topUpId: number; flag: PaymentFlag; creditId: number }
  | { outcome: "duplicate"; paymentId: number }
  | { outcome: "unknown_order" }
  /** An unsigned observation that does not match the order exactly: refused, nothing stored. */
  | { outcome: "mismatch"; reason: string };

export interface RecordOptions {
  source: ObservationSource;
  /** The observation carries no signature (e.g. ABA PayWay): it must match an order exactly. */
  requireExactMatch: boolean;
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

/**
 * Records a verified payment exactly once and queues its credit in the same transaction.
 * Webhook and poller both end here; the unique key (provider, providerTxnId) decides.
 */
export async function recordPayment(deps: LedgerDeps, obs: PaymentObservation, opts: RecordOptions): Promise<RecordOutcome> {
  const { db } = deps.database;
  const now = deps.now?.() ?? new Date();
  const existing = await db.payment.findUnique({ where: { provider_providerTxnId: { provider: obs.provider, providerTxnId: obs.providerTxnId } }, select: { id: true } });
  if (existing) return { outcome: "duplicate", paymentId: existing.id };

  let result: RecordOutcome;
  try {
    result = await db.$transaction(async (tx) => {
      const topUp = obs.reference
        ? await tx.topUp.findUnique({ where: { reference: obs.reference } })
        : obs.md5
          ? await tx.topUp.findFirst({ where: { md5: obs.md5 } })
          : null;
      if (!topUp || topUp.provider !== obs.provider) return { outcome: "unknown_order" } as const;

      const priorPayments = await tx.payment.count({ where: { topUpId: topUp.id } });
      const flag =
        obs.currency !== topUp.currency ? PaymentFlag.CURRENCY_MISMATCH
        : obs.amountMinor < topUp.amountMinor ? PaymentFlag.UNDERPAID
        : obs.amountMinor > topUp.amountMinor ? PaymentFlag.OVERPAID
        : priorPayments > 0 ? PaymentFlag.REPEAT
        : PaymentFlag.OK;
      if (opts.requireExactMatch && flag !== PaymentFlag.OK && flag !== PaymentFlag.REPEAT) {
        return { outcome: "mismatch", reason: `paid ${obs.amountMinor} ${obs.currency}, order is ${topUp.amountMinor} ${topUp.currency}` } as const;
      }

      const payment = await tx.payment.create({
        data: {
          provider: obs.provider, providerTxnId: obs.providerTxnId, topUpId: topUp.id, amountMinor: obs.amountMinor,
          currency: obs.currency, flag, source: opts.source, payer: obs.payer ?? null, raw: JSON.stringify(obs.raw ?? null), observedAt: now,
        },
      });
      const credited = flag === PaymentFlag.OK || flag === PaymentFlag.REPEAT;
      const amount = toPanelAmount(obs.amountMinor, obs.currency, deps.panelCurrency, deps.khrPerUsd);
      const credit = await tx.credit.create({
        data: {
          paymentId: payment.id, topUpId: topUp.id, panelLogin: topUp.panelLogin, amountMinor: amount.amountMinor,
          currency: deps.panelCurrency, rate: amount.rate, memo: creditMemo(topUp.reference, payment.id), kind: CreditKind.PAYMENT,
          status: credited ? CreditStatus.QUEUED : CreditStatus.HELD, nextAttemptAt: now, createdAt: now,
          lastError: credited ? null : `payment flagged ${flag}: check it before crediting`, errorKind: credited ? null : "flagged",
        },
      });
      if (topUp.status !== TopUpStatus.CREDITED && topUp.status !== TopUpStatus.REFUNDED) {
        await tx.topUp.update({
          where: { id: topUp.id },
          data: { status: credited ? TopUpStatus.PAID : TopUpStatus.HELD, paidAt: topUp.paidAt ?? now, nextPollAt: null },
        });
      }
      await enqueueNotification(tx, deps.adminChats, `payment:${payment.id}`, { kind: credited && flag === PaymentFlag.OK ? "admin.payment" : "admin.flagged", paymentId: payment.id }, now);
      if (!credited) await enqueueNotification(tx, [topUp.chatId], `held:${topUp.id}`, { kind: "topup.held", topUpId: topUp.id }, now);
      return { outcome: "recorded", paymentId: payment.id, topUpId: topUp.id, flag, creditId: credit.id } as const;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await db.payment.findUnique({ where: { provider_providerTxnId: { provider: obs.provider, providerTxnId: obs.providerTxnId } }, select: { id: true } });
    if (!winner) throw err;
    return { outcome: "duplicate", paymentId: winner.id };
  }

  if (result.outcome === "recorded") {
    deps.metrics.topUpsPaid.inc({ provider: obs.provider, flag: result.flag, source: opts.source });
    deps.log.info({ provider: obs.provider, paymentId: result.paymentId, topUpId: result.topUpId, flag: result.flag, source: opts.source }, "payment recorded");
    deps.wakeup.notify("credits");
    deps.wakeup.notify("notifications");
  }
  return result;
}
