import Database from "better-sqlite3";
import pg from "pg";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { applySqlitePragmas } from "./sqlite-pragmas.js";
import { dialectOf, sqlitePath, type Dialect } from "./url.js";

const migrationsRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");
/** Any constant: serialises migrators of several instances starting at once. */
const PG_LOCK_KEY = 4_174_201;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function migrationsFor(dialect: Dialect): Migration[] {
  const dir = join(migrationsRoot, dialect);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function assertUnchanged(applied: Map<string, string>, migrations: Migration[]): Migration[] {
  for (const m of migrations) {
    const seen = applied.get(m.name);
    if (seen && seen !== m.checksum) {
      throw new Error(`migration ${m.name} was changed after it ran (checksum differs); add a new migration instead`);
    }
  }
  return migrations.filter((m) => !applied.has(m.name));
}

/** Applies pending migrations in order, each in its own transaction, recording name and checksum. */
export async function migrate(url: string): Promise<string[]> {
  return dialectOf(url) === "sqlite" ? migrateSqlite(sqlitePath(url)) : migratePostgres(url);
}

function migrateSqlite(file: string): string[] {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000 });
  try {
    db.pragma("journal_mode = WAL");
    applySqlitePragmas(db);
    db.exec(`CREATE TABLE IF NOT EXISTS "_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`);
    const ran: string[] = [];
    db.transaction(() => {
      const rows = db.prepare(`SELECT name, checksum FROM "_migrations"`).all() as { name: string; checksum: string }[];
      for (const m of assertUnchanged(new Map(rows.map((r) => [r.name, r.checksum])), migrationsFor("sqlite"))) {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_migrations" VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
        ran.push(m.name);
      }
    }).immediate();
    return ran;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TIMESTAMPTZ NOT NULL)`);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_migrations"`);
    const ran: string[] = [];
    for (const m of assertUnchanged(new Map(rows.map((r) => [r.name, r.checksum])), migrationsFor("postgres"))) {
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_migrations" VALUES ($1, $2, now())`, [m.name, m.checksum]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
      ran.push(m.name);
    }
    return ran;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
