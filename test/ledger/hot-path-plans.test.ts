import Sqlite from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { openSqliteHotPath } from "../../src/ledger/hot-path.js";

/** Every statement the SQLite hot path prepares, captured as it prepares them. */
async function hotPathStatements(file: string): Promise<string[]> {
  const seen: string[] = [];
  const prepare = Sqlite.prototype.prepare;
  Sqlite.prototype.prepare = function (this: Sqlite.Database, sql: string) {
    seen.push(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    openSqliteHotPath(file).close();
  } finally {
    Sqlite.prototype.prepare = prepare;
  }
  return seen;
}

function plan(db: Sqlite.Database, sql: string): string[] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!);
  const args = named.length > 0 ? [Object.fromEntries(named.map((k) => [k, null]))] : Array((sql.match(/\?/g) ?? []).length).fill(null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
}

describe("the SQLite hot path's statements are served by indexes", () => {
  const dir = mkdtempSync(join(tmpdir(), "khqr-plans-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("no statement scans a table or sorts the backlog (a claim by id must not walk the status index)", async () => {
    const file = join(dir, "plans.db");
    await migrate(`file:${file}`);
    const statements = await hotPathStatements(file);
    expect(statements.length).toBeGreaterThan(15);
    const db = new Sqlite(file, { readonly: true });
    try {
      const bad = statements.flatMap((sql) =>
        plan(db, sql)
          .filter((step) => /^SCAN (?!json_each|\w+ VIRTUAL TABLE|\(subquery|CONSTANT ROW)|TEMP B-TREE|USING (COVERING )?INDEX \w+ \(status=\?\)$/.test(step))
          // The receipt watch's per-shop count (every 15 s) groups only the receipts due over a minute ago, read off the
          // audience's due index: what it sorts is the late part of the queue, never the history.
          .filter((step) => !(step === "USE TEMP B-TREE FOR GROUP BY" && sql.includes("GROUP BY \"merchantId\"") && sql.includes("\"nextAttemptAt\" <= ?")))
          .map((step) => `${step}  ←  ${sql.replace(/\s+/g, " ").slice(0, 90)}`),
      );
      expect(bad).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("a credit claim reads each merchant's due credits off its own part of the index, never walking past another's backlog", async () => {
    const statements = await hotPathStatements(join(dir, "plans.db"));
    const db = new Sqlite(join(dir, "plans.db"), { readonly: true });
    try {
      // A due range across merchants is walked past every credit of a merchant without free slots (its panel hanging).
      const acrossMerchants = statements.flatMap((sql) => plan(db, sql).filter((step) => /^SEARCH credits USING (COVERING )?INDEX \w+ \(status=\? AND nextAttemptAt<\?\)$/.test(step)));
      expect(acrossMerchants).toEqual([]);
      const claimReads = statements.filter((sql) => sql.includes("FROM \"credits\" WHERE \"status\" = ") && sql.includes("\"merchantId\""));
      expect(claimReads.flatMap((sql) => plan(db, sql))).toEqual(expect.arrayContaining([expect.stringMatching(/^SEARCH credits USING (COVERING )?INDEX \w+ \(status=\? AND merchantId=\? AND nextAttemptAt<\?\)$/)]));
    } finally {
      db.close();
    }
  });

  it("the check sees a walk of the status index when one is there", async () => {
    const db = new Sqlite(join(dir, "plans.db"), { readonly: true });
    try {
      const walk = plan(db, `UPDATE "notifications" SET "claimedUntil" = ? WHERE "id" IN (SELECT "value" FROM json_each(?)) AND "status" = 'QUEUED'`);
      expect(walk).toContainEqual(expect.stringMatching(/USING (COVERING )?INDEX \w+ \(status=\?\)$/));
    } finally {
      db.close();
    }
  });
});
