import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrationsFor } from "../../src/db/migrate.js";

const sqliteSchema = readFileSync("prisma/schema.prisma", "utf8");

/** Column names per table as declared in schema.prisma (scalar fields only). */
function schemaColumns(schema: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const block of schema.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const body = block[2]!;
    const table = /@@map\("(\w+)"\)/.exec(body)?.[1] ?? block[1]!;
    const columns = body
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([name, type]) => name && type && /^[a-z]/.test(name) && /^(Int|BigInt|String|DateTime|Boolean)\??$/.test(type))
      .map(([name]) => name!);
    tables.set(table, columns);
  }
  return tables;
}

function sqlColumns(sql: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const m of sql.matchAll(/CREATE TABLE "(\w+)" \(([\s\S]*?)\n\)( WITHOUT ROWID)?;/g)) {
    tables.set(m[1]!, [...m[2]!.matchAll(/^\s+"(\w+)"/gm)].map((c) => c[1]!));
  }
  for (const m of sql.matchAll(/ALTER TABLE "(\w+)" ADD COLUMN "(\w+)"/g)) tables.get(m[1]!)?.push(m[2]!);
  return tables;
}

describe("schema drift", () => {
  it("the PostgreSQL schema is exactly the one generated from the SQLite schema", () => {
    expect(() => execFileSync(process.execPath, ["scripts/sync-schemas.mjs", "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("the check fails when the PostgreSQL schema has drifted", () => {
    const dir = mkdtempSync(join(tmpdir(), "khqr-schema-"));
    const drifted = join(dir, "schema.prisma");
    writeFileSync(drifted, readFileSync("prisma/postgres/schema.prisma", "utf8").replace("panelLogin       String?", "panelLogin       String"));
    const run = () => execFileSync(process.execPath, ["scripts/sync-schemas.mjs", "--check"], { stdio: "pipe", env: { ...process.env, POSTGRES_SCHEMA_PATH: drifted } });
    expect(run).toThrow(/out of date/);
  });

  for (const dialect of ["sqlite", "postgres"] as const) {
    it(`${dialect} migrations create every model's table with exactly its columns`, () => {
      const sql = migrationsFor(dialect).map((m) => m.sql).join("\n");
      const expected = schemaColumns(sqliteSchema);
      const actual = sqlColumns(sql);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [table, columns] of expected) expect(actual.get(table)?.sort(), table).toEqual([...columns].sort());
    });
  }
});
