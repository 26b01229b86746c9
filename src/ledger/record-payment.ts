import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { decimalString, type Currency } from "../money/money.js";
import type { LedgerDatabase } from "./hot-path.js";
import type { PaymentObservation, RecordOptions, RecordOutcome } from "./observation.js";
import { PaymentFlag } from "./states.js";

/** One merchant's ledger: its payments are recorded as `merchantId`'s (src/ledger/decide.ts RecorderConfig). */
export interface LedgerDeps {
  merchantId: number;
  database: LedgerDatabase;
  wakeup: Wakeup;
  log: Logger;
  metrics: Metrics;
  panelCurrency: Currency;
  khrPerUsd: number;
  adminChats: readonly bigint[];
  now?: () => Date;
}

/**
 * Records a verified payment exactly once, then decides (src/ledger/decide.ts): credit queued, or held for an admin, or
 * (no top-up of ours) kept as an orphan. Webhook and poller both end here; the unique key
 * (provider, providerTxnId) decides what is a duplicate, and a payment first recorded under a placeholder
 * key (polling named no transaction) is the same payment when the webhook names it. Never refuses a
 * verified observation.
 */
export async function recordPayment(deps: LedgerDeps, obs: PaymentObservation, opts: RecordOptions): Promise<RecordOutcome> {
  const now = deps.now?.() ?? new Date();
  const result = await deps.database.hot.record(deps, obs, opts, now);
  if (result.outcome !== "duplicate" && result.outcome !== "unverified") {
    const flag = result.outcome === "orphan" ? PaymentFlag.ORPHAN : result.flag;
    deps.metrics.topUpsPaid.inc({ provider: obs.provider, flag, source: opts.source });
    const level = result.outcome === "recorded" ? "info" : "warn";
    // What an operator searches by: the reference, provider, amount and login (an orphan has only the provider's words).
    const topUp = result.outcome === "orphan" ? { reference: obs.reference ?? null } : { reference: result.reference, login: result.panelLogin };
    const amount = `${decimalString(obs.amountMinor, obs.currency)} ${obs.currency}`;
    deps.log[level]({ ...topUp, provider: obs.provider, amount, providerTxnId: obs.providerTxnId, paymentId: result.paymentId, outcome: result.outcome, flag, source: opts.source }, "payment recorded");
    if (result.outcome === "recorded") deps.wakeup.notify("credits");
    deps.wakeup.notify("notifications");
  }
  if (result.outcome === "duplicate" && result.rekeyed) {
    deps.log.info({ provider: obs.provider, paymentId: result.paymentId, source: opts.source }, "payment recorded earlier now keyed by the transaction its provider named");
  }
  return result;
}
