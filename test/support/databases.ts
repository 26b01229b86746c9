import pg from "pg";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLedgerDatabase, type LedgerDatabase } from "../../src/ledger/hot-path.js";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

async function canReachPostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL tests run when the server answers; with REQUIRE_POSTGRES=1 (CI) an unreachable server
 * is a failure instead of a skip.
 */
export const postgresAvailable = await (async () => {
  const ok = await canReachPostgres();
  if (!ok && process.env.REQUIRE_POSTGRES === "1") throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable`);
  if (!ok) console.warn(`PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable: skipping the PostgreSQL variants`);
  return ok;
})();

export interface TestDatabase extends LedgerDatabase {
  drop(): Promise<void>;
}

/** A fresh, migrated SQLite file in a temp folder. */
export async function freshSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "khqr-db-"));
  const url = `file:${join(dir, "test.db")}`;
  const database = await openLedgerDatabase(url);
  return { ...database, drop: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Creates an empty database on the PostgreSQL server, migrated; `drop` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; dropDatabase(): Promise<void> }> {
  const name = `khqr_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dropDatabase() {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      // pg's Pool.end() resolves before its connections close; forcing the drop under a closing connection
      // makes that connection throw an uncaught "terminating connection". Wait for them first.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function freshPostgres(opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  const created = await createPostgresDatabase();
  const database = await openLedgerDatabase(created.url, opts);
  return { ...database, drop: async () => { await database.close(); await created.dropDatabase(); } };
}

/** The dialects to run a data-access suite against. */
export const dialects: { name: "sqlite" | "postgres"; fresh: () => Promise<TestDatabase>; enabled: boolean }[] = [
  { name: "sqlite", fresh: freshSqlite, enabled: true },
  { name: "postgres", fresh: freshPostgres, enabled: postgresAvailable },
];
