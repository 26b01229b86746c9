import Sqlite from "better-sqlite3";

export type Synchronous = "FULL" | "NORMAL";

/**
 * Until the returned function is called, every SQLite connection this process opens (Prisma's adapter and
 * the hot path both run their settings through better-sqlite3's exec) commits with synchronous = NORMAL
 * instead of FULL: the bench's comparison only, never a setting of the program.
 */
export function commitWithNormalSync(): () => void {
  const exec = Sqlite.prototype.exec;
  Sqlite.prototype.exec = function (this: Sqlite.Database, sql: string) {
    return exec.call(this, sql.replace("PRAGMA synchronous = FULL", "PRAGMA synchronous = NORMAL"));
  };
  return () => {
    Sqlite.prototype.exec = exec;
  };
}
