import Sqlite from "better-sqlite3";
import { existsSync } from "node:fs";
import { dialectOf, sqlitePath } from "../db/url.js";
import { UsageError, type Command } from "./command.js";

/**
 * `backup <file>`: a consistent copy of the SQLite database while the bot runs, with SQLite's online backup
 * API (it copies the pages as of one moment, WAL included, and restarts when the bot writes meanwhile).
 */
export const backupCommand: Command = {
  args: "<file>",
  summary: "a consistent copy of the SQLite database into <file>, safe while the bot runs (PostgreSQL: use pg_dump)",
  minArgs: 1,
  maxArgs: 1,
  needs: "database",
  async run([target], ctx) {
    const url = ctx.config.runtime.databaseUrl;
    if (dialectOf(url) !== "sqlite") throw new UsageError("backup copies a SQLite database; for PostgreSQL use pg_dump");
    if (existsSync(target!)) {
      ctx.print(`${target} already exists: choose a new file name (nothing was overwritten)`);
      return 1;
    }
    const source = sqlitePath(url);
    if (!existsSync(source)) {
      ctx.print(`no database at ${source} (DATABASE_URL): nothing to back up`);
      return 1;
    }
    const db = new Sqlite(source, { fileMustExist: true, timeout: 5_000 });
    try {
      const { totalPages } = await db.backup(target!);
      ctx.print(`backed up ${source} to ${target} (${totalPages} pages)`);
    } finally {
      db.close();
    }
    return 0;
  },
};
