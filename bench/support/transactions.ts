import type { Db } from "../../src/db/database.js";

/**
 * Measures interactive transactions ($transaction(async (tx) => …)) on one Prisma client: how long
 * callers waited to get one, and how long each was held open. On SQLite the adapter runs them one at
 * a time on its single connection, so the time held bounds write throughput.
 */
export function watchTransactions(db: Db): { reset(): void; read(): { count: number; heldMs: number; waitedMs: number }; restore(): void } {
  const original = db.$transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  let count = 0;
  let heldMs = 0;
  let waitedMs = 0;
  const wrapped = (arg: unknown, ...rest: unknown[]) => {
    if (typeof arg !== "function") return original(arg, ...rest);
    const called = performance.now();
    return original(async (tx: unknown) => {
      const began = performance.now();
      waitedMs += began - called;
      try {
        return await (arg as (tx: unknown) => Promise<unknown>)(tx);
      } finally {
        heldMs += performance.now() - began;
        count++;
      }
    }, ...rest);
  };
  (db as unknown as { $transaction: unknown }).$transaction = wrapped;
  return {
    reset() {
      count = 0;
      heldMs = 0;
      waitedMs = 0;
    },
    read: () => ({ count, heldMs, waitedMs }),
    restore() {
      delete (db as unknown as { $transaction?: unknown }).$transaction;
    },
  };
}
