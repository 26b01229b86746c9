import type { Credit } from "../generated/sqlite/client.js";
import { CreditStatus } from "./states.js";
import type { BonusPolicy } from "./bonus-credit.js";
import { parseState } from "./transitions.js";

/**
 * A credit this instance claimed. SENDING: call the panel. RECONCILE: look for the memo first. Claims are global
 * (every merchant's due credits): `merchantId` says whose panel it goes to.
 */
export type ClaimedCredit = Credit & { claimedAs: typeof CreditStatus.SENDING | typeof CreditStatus.RECONCILE };

/** What the panel said when it applied a credit. */
export interface PanelReceipt {
  panelPaymentId?: string;
  balanceMinor?: number;
}

/** What finishing a credit needs of the deployment. */
export interface FinishPolicy {
  /** TOPUP_BONUS: a payment credit that is done queues its deposit bonus. */
  bonus: BonusPolicy | undefined;
  /** Told when a credit lands on a top-up that was refunded meanwhile (no receipt, no bonus then). */
  adminChats: readonly bigint[];
}

/** A payment or manual credit marked applied (bonus credits take the admin-aware path in the crediter). */
export interface FinishedCredit {
  /** Its top-up, now CREDITED (when it was waiting for this credit); null for a credit without a top-up. */
  topUpId: number | null;
  /** The deposit bonus queued with it, in the panel's minor units (0: none). */
  bonusQueued: number;
  /** Its top-up's provider, for the log line an operator searches (null without a top-up). */
  provider: string | null;
}

/**
 * The crediter's hot path (src/ledger/sqlite-credit-queue.ts, src/ledger/postgres-credit-queue.ts).
 * `claim` takes as many due credits as asked in one statement; `finish` is group-committed: credit DONE,
 * top-up CREDITED, last balance, deposit bonus and receipt, in one transaction with other finishes. On a
 * top-up refunded meanwhile it queues no bonus and no receipt, and the admins get a note instead.
 * A credit that is not SENDING or RECONCILE any more is an illegal transition: finish rejects.
 */
export interface CreditQueue {
  claim(opts: { instanceId: string; at: Date; leaseMs: number; limit: number }): Promise<ClaimedCredit[]>;
  finish(credit: Credit, receipt: PanelReceipt, at: Date, policy: FinishPolicy): Promise<FinishedCredit>;
}

/** Columns of a credit row as the raw paths read them (timestamps as text, UTC). */
export interface RawCredit {
  id: number | string;
  merchantId: number | string;
  paymentId: number | string | null;
  topUpId: number | string | null;
  panelLogin: string;
  amountMinor: number | string;
  currency: string;
  rate: string | null;
  memo: string;
  kind: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  firstFailureAt: string | null;
  claimedBy: string | null;
  claimedUntil: string | null;
  errorKind: string | null;
  lastError: string | null;
  panelPaymentId: string | null;
  balanceMinor: number | string | null;
  basisMinor: number | string | null;
  createdAt: string;
  doneAt: string | null;
}

const toDate = (v: string | null): Date | null => (v === null ? null : new Date(v));
const toInt = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Reads a raw credit row into its typed value, once, at the ledger's boundary. */
export function creditFromRow(row: RawCredit): Credit {
  return {
    id: Number(row.id), merchantId: Number(row.merchantId), paymentId: toInt(row.paymentId), topUpId: toInt(row.topUpId), panelLogin: row.panelLogin, amountMinor: Number(row.amountMinor),
    currency: row.currency, rate: row.rate, memo: row.memo, kind: row.kind, status: parseState("credit", row.status), attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.nextAttemptAt), firstFailureAt: toDate(row.firstFailureAt), claimedBy: row.claimedBy, claimedUntil: toDate(row.claimedUntil),
    errorKind: row.errorKind, lastError: row.lastError, panelPaymentId: row.panelPaymentId, balanceMinor: toInt(row.balanceMinor), basisMinor: toInt(row.basisMinor),
    createdAt: new Date(row.createdAt), doneAt: toDate(row.doneAt),
  };
}

export function claimedFromRow(row: RawCredit): ClaimedCredit {
  const credit = creditFromRow(row);
  return { ...credit, claimedAs: credit.status === CreditStatus.RECONCILE ? CreditStatus.RECONCILE : CreditStatus.SENDING };
}
