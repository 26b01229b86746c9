/**
 * Turns many "look at this order" hints into few status calls. Per key: at most one call in flight
 * (everyone who asks meanwhile shares it); a few calls back to back (`burst`), then at most one per
 * `minIntervalMs`; whoever asks beyond that gets the last answer (a failure too). Nobody waits: the
 * poller, not a hint, is what guarantees that a payment is found. Keys are our own references only,
 * and at most `maxKeys` are remembered (the least recently used goes first).
 */
export interface QueryGate<T> {
  run(key: string, query: () => Promise<T>): Promise<T>;
  /** Keys remembered now (for tests of the bound). */
  readonly size: number;
}

export interface QueryGateOptions {
  minIntervalMs: number;
  burst: number;
  maxKeys: number;
  clock: () => number;
}

interface Slot<T> {
  tokens: number;
  refilledAt: number;
  current?: Promise<T>;
  last?: Promise<T>;
}

export function createQueryGate<T>(opts: QueryGateOptions): QueryGate<T> {
  const slots = new Map<string, Slot<T>>();

  function slotFor(key: string): Slot<T> {
    const found = slots.get(key);
    if (found) {
      slots.delete(key);
      slots.set(key, found);
      return found;
    }
    const slot: Slot<T> = { tokens: opts.burst, refilledAt: opts.clock() };
    slots.set(key, slot);
    if (slots.size > opts.maxKeys) slots.delete(slots.keys().next().value!);
    return slot;
  }

  function refill(slot: Slot<T>): void {
    const now = opts.clock();
    if (opts.minIntervalMs <= 0 || now < slot.refilledAt) {
      slot.tokens = opts.burst;
      slot.refilledAt = now;
      return;
    }
    const gained = Math.floor((now - slot.refilledAt) / opts.minIntervalMs);
    if (gained === 0) return;
    slot.tokens = Math.min(opts.burst, slot.tokens + gained);
    slot.refilledAt = slot.tokens === opts.burst ? now : slot.refilledAt + gained * opts.minIntervalMs;
  }

  function run(key: string, query: () => Promise<T>): Promise<T> {
    const slot = slotFor(key);
    if (slot.current) return slot.current;
    refill(slot);
    if (slot.last && slot.tokens < 1) return slot.last;
    slot.tokens -= 1;
    const call = query();
    slot.current = call;
    const settle = () => {
      slot.current = undefined;
      slot.last = call;
    };
    call.then(settle, settle);
    return call;
  }

  return {
    run,
    get size() {
      return slots.size;
    },
  };
}
