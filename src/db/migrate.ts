import Database from "better-sqlite3";
import pg from "pg";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_MERCHANTS } from "./all-merchants.js";
import { databasePlace, DatabaseOpenError, POSTGRES_CONNECT_TIMEOUT_MS } from "./open-errors.js";
import { SQLITE_PAGE_BYTES, applySqlitePragmas } from "./sqlite-pragmas.js";
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

/** Applied migrations by name, with their checksums. */
type Applied = Map<string, string>;

function assertUnchanged(applied: Applied, migrations: Migration[]): Migration[] {
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
    // Only a new, empty file takes it: an existing database keeps the page size it was created with.
    db.pragma(`page_size = ${SQLITE_PAGE_BYTES}`);
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
  // A migration that moves rows must see every merchant's, whoever owns the tables (row-level security is forced).
  const client = new pg.Client({ connectionString: url, options: ALL_MERCHANTS });
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

/**
 * Checks, without changing anything, that the database at `url` exists and has exactly this code's
 * migrations applied. Throws a DatabaseOpenError (one line) when the SQLite file is missing (a mistyped
 * path is never created), when migrations are pending (run `migrate`), or when a newer version migrated it.
 */
export async function assertMigrated(url: string): Promise<void> {
  const dialect = dialectOf(url);
  const applied = dialect === "sqlite" ? appliedSqlite(sqlitePath(url)) : await appliedPostgres(url);
  const known = migrationsFor(dialect);
  const unknown = [...applied.keys()].filter((name) => !known.some((m) => m.name === name)).sort();
  if (unknown.length > 0) {
    throw new DatabaseOpenError(`${databasePlace(url)} was migrated by a newer version of this program (${unknown.at(-1)} is unknown here): use that version`);
  }
  let pending: Migration[];
  try {
    pending = assertUnchanged(applied, known);
  } catch (err) {
    throw new DatabaseOpenError(`${databasePlace(url)}: ${(err as Error).message}`);
  }
  if (pending.length > 0) {
    throw new DatabaseOpenError(`${databasePlace(url)} is not up to date (${pending.length} of ${known.length} migrations not applied): run \`migrate\` first`);
  }
}

function appliedSqlite(file: string): Applied {
  if (!existsSync(file)) {
    throw new DatabaseOpenError(`no SQLite database at ${resolve(file)} (DATABASE_URL): a mistyped path? \`migrate\` creates a new database`);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'`).get()) return new Map();
    const rows = db.prepare(`SELECT name, checksum FROM "_migrations"`).all() as { name: string; checksum: string }[];
    return new Map(rows.map((r) => [r.name, r.checksum]));
  } finally {
    db.close();
  }
}

async function appliedPostgres(url: string): Promise<Applied> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    const { rows: [table] } = await client.query<{ found: string | null }>(`SELECT to_regclass('"_migrations"')::text AS found`);
    if (!table?.found) return new Map();
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_migrations"`);
    return new Map(rows.map((r) => [r.name, r.checksum]));
  } finally {
    await client.end().catch(() => undefined);
  }
}
