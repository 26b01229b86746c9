// Derives prisma/postgres/schema.prisma from prisma/schema.prisma (the SQLite source of truth).
// `--check` exits 1 when the PostgreSQL schema has drifted (POSTGRES_SCHEMA_PATH overrides its path).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(root, "prisma/schema.prisma");
const target = process.env.POSTGRES_SCHEMA_PATH ?? resolve(root, "prisma/postgres/schema.prisma");

const sqlite = readFileSync(source, "utf8");
const expected = sqlite
  .replace(/^\/\/ Source of truth\.[\s\S]*?\n\n/m, "// GENERATED from prisma/schema.prisma by `npm run schema:sync`. Do not edit.\n\n")
  .replace('output   = "../src/generated/sqlite"', 'output   = "../../src/generated/postgres"')
  .replace('provider = "sqlite"', 'provider = "postgresql"');

if (process.argv.includes("--check")) {
  let actual = "";
  try {
    actual = readFileSync(target, "utf8");
  } catch {}
  if (actual !== expected) {
    console.error("prisma/postgres/schema.prisma is out of date: run `npm run schema:sync`");
    process.exit(1);
  }
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, expected);
}
