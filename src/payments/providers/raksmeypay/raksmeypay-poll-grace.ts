/**
 * Lets RaksmeyPay's webhook record a payment before the poller does. The webhook names the bank
 * transaction (bakong_hash), the payment's key; the Verify answer names none, so a poll can only key
 * a payment by our reference. Were the poll first, the ledger would rename that payment to the
 * webhook's bakong_hash when it lands (src/ledger/decide.ts samePaymentRecorded), losing nothing but
 * the webhook's details. So a SUCCESS seen by polling counts only once it has been seen for `graceMs`
 * (the webhook, sent when RaksmeyPay confirms the payment, normally lands well within it); by then a
 * recorded payment has closed the top-up and it is not polled again.
 */
export interface PollGrace {
  /** Whether a poll may record the payment of `reference`, seen paid now. */
  due(reference: string): boolean;
}

/** Seen-paid times older than this many grace periods belong to top-ups no longer polled. */
const FORGET_AFTER_GRACES = 20;

export function createPollGrace(graceMs: number, now: () => number): PollGrace {
  const firstSeenPaid = new Map<string, number>();
  return {
    due(reference) {
      const at = now();
      for (const [ref, seen] of firstSeenPaid) if (at - seen > graceMs * FORGET_AFTER_GRACES) firstSeenPaid.delete(ref);
      const seen = firstSeenPaid.get(reference);
      if (seen === undefined) firstSeenPaid.set(reference, at);
      const isDue = seen !== undefined ? at - seen >= graceMs : graceMs <= 0;
      if (isDue) firstSeenPaid.delete(reference);
      return isDue;
    },
  };
}
