/** Something built on first use and let go after `idleMs` without use: a platform merchant's bot and what goes with it. */
export interface HeldWhileUsed<T> {
  /** The value, built if it is not held. Counts as a use; a caller keeping it longer should use `use`. */
  get(): T;
  /** Runs `fn` with the value: it is not let go while any `fn` runs, and its idle time starts when the last ends. */
  use<R>(fn: (value: T) => R | Promise<R>): Promise<R>;
  held(): boolean;
  /** Lets it go now, and stops the timer (the merchant is closed). */
  release(): void;
}

/**
 * One timer per held value (so at most one per merchant, however many requests); none when `idleMs` is undefined
 * (held for good). Letting go only drops the reference: a caller still running with the value finishes with it.
 */
export function heldWhileUsed<T>(build: () => T, idleMs: number | undefined): HeldWhileUsed<T> {
  let value: T | undefined;
  let running = 0;
  let lastUsed = 0;
  let timer: NodeJS.Timeout | undefined;

  const arm = (delayMs: number) => {
    timer = setTimeout(check, delayMs);
    timer.unref();
  };
  function check(): void {
    timer = undefined;
    if (value === undefined || idleMs === undefined) return;
    const idle = performance.now() - lastUsed;
    if (running === 0 && idle >= idleMs) value = undefined;
    else arm(Math.max(1, idleMs - idle));
  }
  const get = (): T => {
    lastUsed = performance.now();
    value ??= build();
    if (idleMs !== undefined && timer === undefined) arm(idleMs);
    return value;
  };

  return {
    get,
    async use(fn) {
      const v = get();
      running++;
      try {
        return await fn(v);
      } finally {
        running--;
        lastUsed = performance.now();
      }
    },
    held: () => value !== undefined,
    release() {
      clearTimeout(timer);
      timer = undefined;
      value = undefined;
    },
  };
}
