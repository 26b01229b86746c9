import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");
const LEDGER = join(SRC, "ledger");
const GENERATED = join(SRC, "generated");

/** Every way code writes one of the five money tables, each with a name for the sanity check below. */
const WRITES = {
  prisma: /\.(topUp|payment|credit|refund|notification)\s*\.\s*(create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\b/g,
  sql: /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(top_ups|payments|credits|refunds|notifications)\b/gi,
  move: /\bmove(TopUp|Credit|Notification)\s*\(/g,
};


function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === LEDGER || path === GENERATED ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

function writesIn(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(pattern)].map((m) => `${relative(SRC, file)}:${text.slice(0, m.index).split("\n").length}: ${m[0]}`);
  });
}

describe("src/ledger owns every write to top_ups, payments, credits, refunds and notifications", () => {
  it("nothing outside src/ledger writes them", () => {
    const found = Object.values(WRITES).flatMap((pattern) => writesIn(sources(SRC), pattern));
    expect(found).toEqual([]);
  });

  it("each pattern finds the ledger's own writes (the scan can see what it forbids)", () => {
    const ledger = sources(LEDGER);
    for (const [name, pattern] of Object.entries(WRITES)) expect(writesIn(ledger, pattern), name).not.toEqual([]);
  });
});
