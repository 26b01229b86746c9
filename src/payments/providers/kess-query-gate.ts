/**
 * Turns many "look at this order" hints into few status calls: per key, at most one call in flight,
 * calls at least `minIntervalMs` apart, and every caller gets the answer of a call that started
 * after it asked (so a hint that follows a payment is never answered from before it). Keys are our
 * own references only, and at most `maxKeys` are remembered (the least recently used goes first).
 */
export interface QueryGate<T> {
  run(key: string, query: () => Promise<T>): Promise<T>;
  /** Keys remembered now (for tests of the bound). */
  readonly size: number;
}

interface Slot<T> {
  startedAt: number;
  current?: Promise<T>;
  next?: Promise<T>;
}

export function createQueryGate<T>(opts: { minIntervalMs: number; maxKeys: number; clock?: () => number }): QueryGate<T> {
  const clock = opts.clock ?? (() => performance.now());
  const slots = new Map<string, Slot<T>>();

  function slotFor(key: string): Slot<T> {
    const found = slots.get(key);
    if (found) {
      slots.delete(key);
      slots.set(key, found);
      return found;
    }
    const slot: Slot<T> = { startedAt: Number.NEGATIVE_INFINITY };
    slots.set(key, slot);
    if (slots.size > opts.maxKeys) slots.delete(slots.keys().next().value!);
    return slot;
  }

  function start(slot: Slot<T>, query: () => Promise<T>): Promise<T> {
    slot.startedAt = clock();
    const call = query().finally(() => {
      if (slot.current === call) slot.current = undefined;
    });
    slot.current = call;
    return call;
  }

  function run(key: string, query: () => Promise<T>): Promise<T> {
    const slot = slotFor(key);
    if (slot.next) return slot.next;
    const inFlight = slot.current;
    if (!inFlight && clock() - slot.startedAt >= opts.minIntervalMs) return start(slot, query);
    // One trailing call, shared by everyone who asks meanwhile.
    const next = (async () => {
      if (inFlight) await inFlight.catch(() => undefined);
      const wait = slot.startedAt + opts.minIntervalMs - clock();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      slot.next = undefined;
      return start(slot, query);
    })();
    slot.next = next;
    return next;
  }

  return {
    run,
    get size() {
      return slots.size;
    },
  };
}
