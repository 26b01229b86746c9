import type Sqlite from "better-sqlite3";

/** How long a batch waits for another process's write lock (a CLI, a crediter child) before failing. */
const BUSY_GIVE_UP_MS = 10_000;
/**
 * The gap kept after a commit before the next one, as a multiple of how long that commit took, within
 * [MIN_GAP_MS, MAX_GAP_MS]. A commit waits for the WAL to reach the disk (synchronous = FULL) with the
 * event loop blocked: 0.25 ms on a quiet disk, about 2 ms on this shared one (bench sqlite-commit). Spacing
 * commits by their own cost keeps that wait under a quarter of the loop's time, and under load more
 * payments share each commit, which is what makes the WAL per payment small (bench sqlite-commit: 50 KiB
 * at 4 per commit, 22 KiB at 16). When idle, the first unit still commits at once.
 */
const GAP_PER_COMMIT_TIME = 3;
const MIN_GAP_MS = 1;
/** Bounds what the spacing adds to a webhook's answer. */
const MAX_GAP_MS = 8;

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
 * caller gets its own result. One commit (one WAL sync) per turn, spaced by what commits cost
 * (GAP_PER_COMMIT_TIME). Nothing else runs while a batch runs, so no other work can join it or be undone
 * by its rollback. A database locked by another process is retried asynchronously: the event loop never
 * blocks waiting for a lock.
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
  /** When the next commit may start. */
  let nextCommit = -Infinity;
  function run(): void {
    const list = queue;
    queue = [];
    scheduled = false;
    flush(list, Date.now());
  }

  function flush(list: Pending[], firstTry: number): void {
    let results;
    const started = performance.now();
    try {
      results = batch.immediate(list);
      const took = performance.now() - started;
      nextCommit = started + took + Math.min(Math.max(took * GAP_PER_COMMIT_TIME, MIN_GAP_MS), MAX_GAP_MS);
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
        const wait = nextCommit - performance.now();
        if (wait > 0) setTimeout(run, wait);
        else setImmediate(run);
      });
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code === "SQLITE_BUSY_SNAPSHOT";
}
