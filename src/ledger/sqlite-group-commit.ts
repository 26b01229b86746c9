import type Sqlite from "better-sqlite3";

/** How long a batch waits for another process's write lock (a CLI, a crediter child) before failing. */
const BUSY_GIVE_UP_MS = 10_000;

/**
 * The adaptive commit gap. A commit holds the event loop while the WAL reaches the disk, and every commit writes
 * each page it dirties whole (one frame per table or index it touches, however few rows share it), so under load
 * fewer, fuller commits write less WAL per unit and spend less of the thread on syncs. After each commit the next
 * may start only COMMIT_DUTY times that commit's duration later: commits then take at most 1/(1 + COMMIT_DUTY) of the
 * thread, a slow disk or a large batch spacing them out by itself. Bounded by MAX_GAP_MS (the wait it adds to a
 * webhook's answer and to each step of payment → credit), and ended early once FULL_BATCH_UNITS wait, since a
 * commit that full shares its pages as well as it can. When idle, the first unit still commits at once.
 */
export const COMMIT_DUTY = 8;
export const MIN_GAP_MS = 1;
export const MAX_GAP_MS = 8;
export const FULL_BATCH_UNITS = 128;

/** How long after the end of the last commit the next may start, given how long it took and how many units now wait. */
export function commitGapMs(lastCommitMs: number, waiting: number): number {
  if (waiting >= FULL_BATCH_UNITS) return 0;
  return Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, lastCommitMs * COMMIT_DUTY));
}

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
 * caller gets its own result. One commit (one WAL sync) per turn at most, spaced by commitGapMs. Nothing else runs while
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
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let lastCommitEnd = -Infinity;
  let lastCommitMs = 0;
  function run(): void {
    const list = queue;
    queue = [];
    scheduled = false;
    clearTimeout(timer);
    timer = undefined;
    flush(list, Date.now());
  }

  function flush(list: Pending[], firstTry: number): void {
    let results;
    const started = performance.now();
    try {
      results = batch.immediate(list);
      lastCommitEnd = performance.now();
      lastCommitMs = lastCommitEnd - started;
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
        const wait = lastCommitEnd + commitGapMs(lastCommitMs, queue.length) - performance.now();
        if (scheduled && (timer === undefined || wait > 0)) return;
        // Not scheduled yet, or a full batch no longer waits for the timer.
        clearTimeout(timer);
        timer = wait > 0 ? setTimeout(run, wait) : undefined;
        if (wait <= 0) setImmediate(run);
        scheduled = true;
      });
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code === "SQLITE_BUSY_SNAPSHOT";
}
