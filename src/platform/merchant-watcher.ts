import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { MerchantRecord, MerchantStore } from "./merchant-store.js";

export interface MerchantWatcherOptions {
  log: Logger;
  /** On PostgreSQL every instance hears a change at once (NOTIFY); the poll covers a lost one and SQLite. */
  wakeup?: Wakeup;
  /** How often the change mark is read; default 1 s, so a change reaches every instance within 2 s. */
  everyMs?: number;
  /** The merchants added or changed (a new version: settings, state, removal) since the last call. */
  onChange(changed: MerchantRecord[]): void | Promise<void>;
}

export interface MerchantWatcher {
  /** Looks now (a change made in this process); resolves when onChange has run for what it found. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches the merchant store for changes: one cheap read of the change mark per tick, and the list only when it
 * moved. The merchants as they are when the watcher starts are its baseline (the runtime loads them itself).
 */
export async function watchMerchants(store: MerchantStore, opts: MerchantWatcherOptions): Promise<MerchantWatcher> {
  let mark = await store.changeMark();
  const versions = new Map((await store.list()).map((m) => [m.id, m.version]));
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const look = async () => {
    const now = await store.changeMark();
    if (now === mark) return;
    const merchants = await store.list();
    const changed = merchants.filter((m) => versions.get(m.id) !== m.version);
    for (const m of merchants) versions.set(m.id, m.version);
    mark = now;
    if (changed.length > 0) await opts.onChange(changed);
  };
  // One look at a time; a failed one is logged and the next tick tries again.
  const check = () => {
    running = running.then(() => (stopped ? undefined : look().catch((err: unknown) => opts.log.warn({ err }, "reading the merchants failed; trying again next tick"))));
    return running;
  };
  const timer = setInterval(() => void check(), opts.everyMs ?? 1_000);
  timer.unref();
  const unsubscribe = opts.wakeup?.on("merchants", () => void check());
  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      await running;
    },
  };
}
