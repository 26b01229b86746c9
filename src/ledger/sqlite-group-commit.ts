import type Sqlite from "better-sqlite3";

/** How long a batch waits for another process's write lock (a CLI, a crediter child) before failing. */
const BUSY_GIVE_UP_MS = 10_000;
/**
 * At most one commit per this many ms. A commit waits for the WAL to reach the disk (~0.25 ms here,
 * more on slower disks) with the event loop blocked, so under load each turn's commit would cost more
 * than the work it commits; when idle, the first unit still commits at once.
 */
const COMMIT_EVERY_MS = 1;

interface Pending {
  run(): unknown;
  resolve(output: unknown): void;
  reject(err: unknown): void;
}

/** Turns a synchronous unit of work into a group-committed asynchronous one. */
export type GroupCommitted = <I, O>(unit: (input: I) => O) => (input: I) => Promise<O>;

/**
 * Group commit on one SQLite connection: every unit of work submitted in the same event-loop turn, of
 * whatever kind (record a payment, finish a credit, claim notifications), runs in one synchronous
 * IMMEDIATE transaction, each in its own savepoint, so one failing does not fail the others and each
 * caller gets its own result. One commit (one WAL sync) per turn, and at most one per COMMIT_EVERY_MS. Nothing else runs while
 * a batch runs, so no other work can join it or be undone by its rollback. A database locked by another
 * process is retried asynchronously: the event loop never blocks waiting for a lock.
 */
export function createGroupCommit(db: Sqlite.Database): GroupCommitted {
  const inSavepoint = db.transaction((p: Pending) => p.run());
  const batch = db.transaction((list: Pending[]) =>
    list.map((p): { ok: true; output: unknown } | { ok: false; err: unknown } => {
      try {
        return { ok: true, output: inSavepoint(p) };
      } catch (err) {
        if (isBusy(err)) throw err;
        return { ok: false, err };
      }
    }),
  );

  let queue: Pending[] = [];
  let scheduled = false;
  let lastCommit = -Infinity;
  function run(): void {
    const list = queue;
    queue = [];
    scheduled = false;
    lastCommit = performance.now();
    flush(list, Date.now());
  }

  function flush(list: Pending[], firstTry: number): void {
    let results;
    try {
      results = batch.immediate(list);
    } catch (err) {
      if (isBusy(err) && Date.now() - firstTry < BUSY_GIVE_UP_MS) {
        setTimeout(() => flush(list, firstTry), 2).unref();
        return;
      }
      for (const p of list) p.reject(err);
      return;
    }
    results.forEach((r, i) => (r.ok ? list[i]!.resolve(r.output) : list[i]!.reject(r.err)));
  }

  return <I, O>(unit: (input: I) => O) =>
    (input: I) =>
      new Promise<O>((resolve, reject) => {
        queue.push({ run: () => unit(input), resolve: resolve as (output: unknown) => void, reject });
        if (scheduled) return;
        scheduled = true;
        const wait = lastCommit + COMMIT_EVERY_MS - performance.now();
        if (wait > 0) setTimeout(run, wait);
        else setImmediate(run);
      });
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code === "SQLITE_BUSY_SNAPSHOT";
}
