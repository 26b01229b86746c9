import { CreditStatus, TopUpStatus } from "./states.js";

export const NotificationStatus = { QUEUED: "QUEUED", SENT: "SENT", FAILED: "FAILED" } as const;
export type NotificationStatus = (typeof NotificationStatus)[keyof typeof NotificationStatus];

/**
 * Every allowed change of state, written once. A write names its target state and is guarded by
 * the states it may come from (`allowedFrom`), so an illegal change does not happen; a caller that
 * needed it to happen fails loudly (`IllegalTransition`).
 */
export const TRANSITIONS = {
  topUp: {
    [TopUpStatus.PENDING]: [TopUpStatus.PAID, TopUpStatus.HELD, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED],
    // A payment may still arrive for a lapsed top-up: money paid is money paid.
    [TopUpStatus.EXPIRED]: [TopUpStatus.PAID, TopUpStatus.HELD],
    [TopUpStatus.CANCELLED]: [TopUpStatus.PAID, TopUpStatus.HELD],
    [TopUpStatus.PAID]: [TopUpStatus.CREDITED, TopUpStatus.HELD, TopUpStatus.REFUNDED],
    // An admin releases it (/recredit: PAID), finds it on the panel (CREDITED) or refunds it.
    [TopUpStatus.HELD]: [TopUpStatus.PAID, TopUpStatus.CREDITED, TopUpStatus.REFUNDED],
    [TopUpStatus.CREDITED]: [TopUpStatus.REFUNDED],
    [TopUpStatus.REFUNDED]: [],
  },
  credit: {
    [CreditStatus.QUEUED]: [CreditStatus.SENDING, CreditStatus.HELD, CreditStatus.CANCELLED],
    // After the panel call: applied, refused, retry later, or outcome unknown.
    [CreditStatus.SENDING]: [CreditStatus.DONE, CreditStatus.HELD, CreditStatus.QUEUED, CreditStatus.RECONCILE],
    [CreditStatus.RECONCILE]: [CreditStatus.DONE, CreditStatus.QUEUED, CreditStatus.HELD, CreditStatus.RECONCILE],
    [CreditStatus.HELD]: [CreditStatus.QUEUED, CreditStatus.DONE, CreditStatus.CANCELLED],
    [CreditStatus.DONE]: [],
    [CreditStatus.CANCELLED]: [],
  },
  notification: {
    // QUEUED → QUEUED: a failed attempt scheduled again.
    [NotificationStatus.QUEUED]: [NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.QUEUED],
    [NotificationStatus.SENT]: [],
    [NotificationStatus.FAILED]: [],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type Machine = keyof typeof TRANSITIONS;
export type StateOf<M extends Machine> = keyof (typeof TRANSITIONS)[M] & string;

export class IllegalTransition extends Error {
  constructor(readonly machine: Machine, readonly from: string, readonly to: string, readonly id?: number) {
    super(`illegal ${machine} transition ${from} → ${to}${id === undefined ? "" : ` (id ${id})`}`);
    this.name = "IllegalTransition";
  }
}

export function canMove<M extends Machine>(machine: M, from: StateOf<M>, to: StateOf<M>): boolean {
  return (TRANSITIONS[machine][from] as readonly string[]).includes(to);
}

/** The states `to` may be reached from: the guard of every conditional write to that state. */
export function allowedFrom<M extends Machine>(machine: M, to: StateOf<M>): StateOf<M>[] {
  const table = TRANSITIONS[machine] as Record<string, readonly string[]>;
  return Object.keys(table).filter((from) => table[from]!.includes(to)) as StateOf<M>[];
}

export function assertMove<M extends Machine>(machine: M, from: StateOf<M>, to: StateOf<M>, id?: number): void {
  if (!canMove(machine, from, to)) throw new IllegalTransition(machine, from, to, id);
}

/** Reads a status column into its typed value once, at the boundary; an unknown value is a bug, not data. */
export function parseState<M extends Machine>(machine: M, value: string): StateOf<M> {
  if (!Object.hasOwn(TRANSITIONS[machine], value)) throw new Error(`unknown ${machine} status "${value}" in the database`);
  return value as StateOf<M>;
}
