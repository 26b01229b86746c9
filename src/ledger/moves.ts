import type { Db } from "../db/database.js";
import type { Prisma } from "../generated/sqlite/client.js";
import { allowedFrom, IllegalTransition, type Machine, type StateOf } from "./transitions.js";

type Tx = Pick<Db, "topUp" | "credit" | "notification">;

export interface MoveOptions<M extends Machine> {
  /** A narrower set of source states than the table allows (each must be allowed by it). */
  from?: readonly StateOf<M>[];
  /** Extra conditions on the row (e.g. the claim a worker holds). */
  where?: Record<string, unknown>;
  /** Throw when the row is not in a state the move is allowed from; otherwise a no-op returns false. */
  required?: boolean;
}

/** The states a guarded write to `to` accepts: the table's, or a narrower set it allows. */
export function sources<M extends Machine>(machine: M, to: StateOf<M>, from: readonly StateOf<M>[] | undefined): StateOf<M>[] {
  const allowed = allowedFrom(machine, to);
  if (!from) return allowed;
  for (const f of from) if (!allowed.includes(f)) throw new IllegalTransition(machine, f, to);
  return [...from];
}

/** States as SQL string literals, for `"status" IN (...)`. */
export function sqlStates(states: readonly string[]): string {
  return states.map((s) => `'${s}'`).join(", ");
}

/** The guard of a raw write to `to`, as SQL literals: the states the table (or a narrower `from`) allows. */
export function sqlSources<M extends Machine>(machine: M, to: StateOf<M>, from?: readonly StateOf<M>[]): string {
  return sqlStates(sources(machine, to, from));
}

async function refuse(machine: Machine, current: { status: string } | null, to: string, id: number): Promise<never> {
  throw new IllegalTransition(machine, current?.status ?? "(missing)", to, id);
}

/** The only way a top-up changes state. Returns whether it moved. */
export async function moveTopUp(tx: Tx, id: number, to: StateOf<"topUp">, data: Omit<Prisma.TopUpUpdateManyMutationInput, "status"> = {}, opts: MoveOptions<"topUp"> = {}): Promise<boolean> {
  const changed = await tx.topUp.updateMany({ where: { ...opts.where, id, status: { in: sources("topUp", to, opts.from) } }, data: { ...data, status: to } });
  if (changed.count === 0 && opts.required) await refuse("topUp", await tx.topUp.findUnique({ where: { id }, select: { status: true } }), to, id);
  return changed.count === 1;
}

/** The only way a credit changes state. Returns whether it moved. */
export async function moveCredit(tx: Tx, id: number, to: StateOf<"credit">, data: Omit<Prisma.CreditUpdateManyMutationInput, "status"> = {}, opts: MoveOptions<"credit"> = {}): Promise<boolean> {
  const changed = await tx.credit.updateMany({ where: { ...opts.where, id, status: { in: sources("credit", to, opts.from) } }, data: { ...data, status: to } });
  if (changed.count === 0 && opts.required) await refuse("credit", await tx.credit.findUnique({ where: { id }, select: { status: true } }), to, id);
  return changed.count === 1;
}

/** The only way a notification changes state. Returns whether it moved. */
export async function moveNotification(
  tx: Tx,
  id: number,
  to: StateOf<"notification">,
  data: Omit<Prisma.NotificationUpdateManyMutationInput, "status"> = {},
  opts: MoveOptions<"notification"> = {},
): Promise<boolean> {
  const changed = await tx.notification.updateMany({ where: { ...opts.where, id, status: { in: sources("notification", to, opts.from) } }, data: { ...data, status: to } });
  if (changed.count === 0 && opts.required) await refuse("notification", await tx.notification.findUnique({ where: { id }, select: { status: true } }), to, id);
  return changed.count === 1;
}
