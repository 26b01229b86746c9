import type Sqlite from "better-sqlite3";

/**
 * The page size a new database is created with (src/db/migrate.ts); a WAL frame is one page plus a 24-byte header.
 * 1 KiB, not SQLite's default 4 KiB: every commit writes each page it dirties whole, and a payment's random
 * transaction id dirties a leaf page of the at-most-once index that no other payment in the commit shares, so
 * smaller pages write about half the WAL per payment (docs/BENCHMARKS.md, sqlite-commit). A database created
 * before keeps its 4 KiB pages (SQLite changes a WAL database's page size only through journal_mode = DELETE and
 * VACUUM, README "Architecture"); there a frame holds 4 KiB, four times what the byte figures below assume.
 */
export const SQLITE_PAGE_BYTES = 1024;
export const WAL_FRAME_BYTES = SQLITE_PAGE_BYTES + 24;

/**
 * Frames in the WAL at which a connection checkpoints by itself when it commits. The checkpointer
 * (src/db/sqlite-checkpointer.ts) keeps the WAL far below this, off the main thread; only a stalled
 * checkpointer lets a commit reach it, and then that commit copies the pages itself so the WAL stays bounded.
 */
export const WAL_LIMIT_FRAMES = 8_192;
/** What the WAL file is cut back to after it restarts (SQLite otherwise keeps its largest size on disk). */
export const WAL_FILE_LIMIT_BYTES = WAL_LIMIT_FRAMES * WAL_FRAME_BYTES;

/**
 * The settings of every SQLite connection (Prisma's, the hot path's, the migrator's, the checkpointer's, the CLI's).
 * `synchronous = FULL`: a commit returns only once the WAL is on disk. better-sqlite3 is built with
 * SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so a connection that does not say so runs NORMAL, where a power loss or
 * kernel crash can undo commits already answered (a payment acknowledged with 200, a credit marked DONE).
 */
export const SQLITE_PRAGMAS = [
  "PRAGMA synchronous = FULL",
  `PRAGMA wal_autocheckpoint = ${WAL_LIMIT_FRAMES}`,
  `PRAGMA journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`,
].join(";\n");

/**
 * The page cache of the connections that serve Prisma's queries (reports, lookups, workers) and exports: 2 MiB,
 * SQLite's own default, where better-sqlite3 builds with 16 MiB a connection. A report or an export reads a long run
 * of pages once, which a large cache would keep as resident memory for ever after; the pages stay in the
 * operating system's cache, and a connection's cache is dropped anyway whenever another one (the hot path) commits.
 * The ledger's hot connection (src/ledger/hot-path.ts) keeps the larger default.
 */
export const SQLITE_READ_CACHE_PRAGMA = "PRAGMA cache_size = -2000";

export function applySqlitePragmas(db: Sqlite.Database): void {
  db.exec(SQLITE_PRAGMAS);
}
