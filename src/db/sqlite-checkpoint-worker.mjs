// The SQLite checkpointer's thread (started by src/db/sqlite-checkpointer.ts). Plain JavaScript so that a
// worker thread can load it under tsx, vitest and the compiled build alike. Every `tickMs` it copies the
// WAL's committed pages into the database file from its own connection (PASSIVE: never waits for, nor
// blocks, the writers); once nothing was written for `idleMs` it empties the WAL file (TRUNCATE).
import Sqlite from "better-sqlite3";
import { Buffer } from "node:buffer";
import { closeSync, openSync, readSync } from "node:fs";
import { clearTimeout, setTimeout } from "node:timers";
import { parentPort, workerData } from "node:worker_threads";

const { file, pragmas, tickMs, retryMs, idleMs, restartAtFrames, waitMs, stats: shared, statNames } = workerData;
/** Index of each figure in the statistics array shared with the main thread (names from src/db/sqlite-checkpointer.ts). */
const STAT = Object.fromEntries(statNames.map((name, i) => [name, i]));
const stats = new Float64Array(shared);
const db = new Sqlite(file);
db.exec(pragmas);
/** A WAL frame is one page and a 24-byte header; a database keeps the page size it was created with (src/db/sqlite-pragmas.ts). */
const frameBytes = db.pragma("page_size", { simple: true }) + 24;
// How long RESTART and TRUNCATE may wait for the write lock and for readers; writers wait for them meanwhile.
db.pragma(`busy_timeout = ${waitMs}`);

/** The WAL header's salts change whenever the WAL restarts from its first frame (sqlite.org/fileformat2.html#walformat). */
function walSalt() {
  let fd;
  try {
    fd = openSync(`${file}-wal`, "r");
    const header = Buffer.alloc(8);
    return readSync(fd, header, 0, 8, 16) === 8 ? header.toString("hex") : "";
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function checkpoint(mode) {
  const [row] = db.pragma(`wal_checkpoint(${mode})`);
  if (row.busy === 1) stats[STAT.busy]++;
  return { done: row.busy === 0 && row.log === row.checkpointed, log: Math.max(row.log, 0) };
}

let lastSalt = walSalt();
let lastLog = checkpoint("PASSIVE").log;
let quietSince = Date.now();

/**
 * Counts the frames written since the last look. A WAL restarts (new salt) only after a checkpoint that
 * copied all of it, and only this thread checkpoints, so the previous generation's frames were all counted.
 */
function count(salt, log) {
  const added = salt === lastSalt ? log - lastLog : log;
  stats[STAT.framesWritten] += Math.max(added, 0);
  stats[STAT.walBytesWritten] += Math.max(added, 0) * frameBytes;
  stats[STAT.walFramesMax] = Math.max(stats[STAT.walFramesMax], log);
  lastSalt = salt;
  lastLog = log;
  return added;
}

/**
 * PASSIVE copies what is committed without taking the write lock, so under steady writes it never catches
 * up with the last frames and the WAL would only grow. Past `restartAtFrames`, RESTART takes the write lock
 * for the few frames written since, so the next commit starts the WAL again from its beginning.
 */
let restartOwed = false;

function tick() {
  try {
    const salt = walSalt();
    const pass = checkpoint("PASSIVE");
    const added = count(salt, pass.log);
    if (added > 0) {
      stats[STAT.checkpoints]++;
      quietSince = Date.now();
    }
    if (pass.log > 0 && Date.now() - quietSince >= idleMs) {
      if (checkpoint("TRUNCATE").done) {
        stats[STAT.truncates]++;
        lastSalt = "";
        lastLog = 0;
      }
    } else if (pass.log >= restartAtFrames && (added > 0 || restartOwed)) {
      // `log` is the WAL as PASSIVE found it: frames written meanwhile are not in it, so "all copied" proves nothing here.
      const restart = checkpoint("RESTART");
      count(salt, restart.log);
      restartOwed = !restart.done;
      if (restart.done) stats[STAT.restarts]++;
    }
  } catch (err) {
    stats[STAT.errors]++;
    parentPort.postMessage({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
  // A RESTART that found the write lock taken tries again soon rather than let the WAL grow for a whole tick.
  timer = setTimeout(tick, restartOwed ? retryMs : tickMs);
}

let timer = setTimeout(tick, tickMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearTimeout(timer);
  try {
    checkpoint("TRUNCATE");
  } catch {}
  db.close();
  parentPort.close();
});
parentPort.postMessage({
  kind: "ready",
  settings: { synchronous: db.pragma("synchronous", { simple: true }), walAutocheckpoint: db.pragma("wal_autocheckpoint", { simple: true }) },
});
