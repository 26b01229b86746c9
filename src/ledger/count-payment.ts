import { TopUpStatus } from "./states.js";
import { SETTLED_BY_A_PAYMENT } from "./decide.js";
import { sqlSources } from "./moves.js";

/**
 * The SET list of the one top-up update a recorded payment makes, for both recorders: the payment is
 * counted (`paymentsSeen`, PostgreSQL's version check) and, when the top-up was open or lapsed, it is
 * settled as `to`. A further payment leaves the state alone. `now` is the SQL of the time parameter.
 */
export function countPaymentSet(to: typeof TopUpStatus.PAID | typeof TopUpStatus.HELD, now: string): string {
  const settling = `"status" IN (${sqlSources("topUp", to, SETTLED_BY_A_PAYMENT)})`;
  return `"paymentsSeen" = "paymentsSeen" + 1,
    "status" = CASE WHEN ${settling} THEN '${to}' ELSE "status" END,
    "paidAt" = CASE WHEN ${settling} THEN COALESCE("paidAt", ${now}) ELSE "paidAt" END,
    "nextPollAt" = CASE WHEN ${settling} THEN NULL ELSE "nextPollAt" END,
    "updatedAt" = ${now}`;
}
