import { Worker } from "node:worker_threads";
import { SQLITE_PRAGMAS } from "./sqlite-pragmas.js";

/** How often the checkpointer copies the WAL's new pages into the database file. */
export const CHECKPOINT_EVERY_MS = 100;
/**
 * Frames in the WAL at which the checkpointer briefly holds the write lock to finish copying and have the
 * WAL start again from its beginning (RESTART); below it, it copies without blocking anyone (PASSIVE).
 */
export const RESTART_AT_FRAMES = 2_048;
/** How long a RESTART or TRUNCATE waits for the write lock or for readers; a refused RESTART is tried again after RESTART_RETRY_MS. */
const LOCK_WAIT_MS = 25;
const RESTART_RETRY_MS = 5;
/** After this long without a write, the WAL file is emptied (TRUNCATE), so an idle install keeps no large -wal file. */
export const TRUNCATE_WHEN_IDLE_MS = 1_000;

const STAT_NAMES = ["framesWritten", "walBytesWritten", "checkpoints", "restarts", "truncates", "busy", "walFramesMax", "errors"] as const;
export type CheckpointStats = Record<(typeof STAT_NAMES)[number], number>;

/** A connection's durability settings as read back from it. */
export interface SqliteSettings {
  synchronous: number;
  walAutocheckpoint: number;
}

export interface Checkpointer {
  /** Resolves once the thread's connection is open, with its settings read back from it. */
  started: Promise<SqliteSettings>;
  /**
   * Counted by the checkpointer since it started: WAL frames written by every connection and their bytes (frames × the
   * database's own page size + 24-byte header), checkpoints that found work, and so on.
   */
  stats(): CheckpointStats;
  /** Runs a last checkpoint, empties the WAL and ends the thread. */
  stop(): Promise<void>;
}

/**
 * Checkpoints a WAL-mode SQLite file from a worker thread with its own connection, so no commit on the
 * main thread copies pages (every connection's own auto-checkpoint sits at WAL_LIMIT_FRAMES, a bound the
 * checkpointer keeps the WAL far below; src/db/sqlite-pragmas.ts).
 */
export function startCheckpointer(file: string, opts: { onError?: (err: Error) => void } = {}): Checkpointer {
  const shared = new SharedArrayBuffer(STAT_NAMES.length * Float64Array.BYTES_PER_ELEMENT);
  const figures = new Float64Array(shared);
  const worker = new Worker(new URL("./sqlite-checkpoint-worker.mjs", import.meta.url), {
    workerData: {
      file, pragmas: SQLITE_PRAGMAS, statNames: STAT_NAMES, stats: shared,
      tickMs: CHECKPOINT_EVERY_MS, retryMs: RESTART_RETRY_MS, idleMs: TRUNCATE_WHEN_IDLE_MS, restartAtFrames: RESTART_AT_FRAMES, waitMs: LOCK_WAIT_MS,
    },
  });
  // A process that forgets to close its database may still exit; close() ends the thread properly.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const started = new Promise<SqliteSettings>((resolve, reject) => {
    worker.on("message", (m: { kind: "ready"; settings: SqliteSettings } | { kind: "error"; message: string }) => {
      if (m.kind === "ready") resolve(m.settings);
      else opts.onError?.(new Error(`SQLite checkpoint of ${file} failed: ${m.message}`));
    });
    worker.on("error", (err) => {
      reject(err);
      opts.onError?.(err);
    });
    worker.once("exit", () => reject(new Error("the SQLite checkpointer stopped before it started")));
  });
  // Nobody has to wait for it; a failure is reported through onError.
  started.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    started,
    stats: () => Object.fromEntries(STAT_NAMES.map((name, i) => [name, figures[i]!])) as CheckpointStats,
    stop: () => {
      if (!stopping) {
        worker.ref();
        worker.postMessage("stop");
        stopping = exited;
      }
      return stopping;
    },
  };
}
