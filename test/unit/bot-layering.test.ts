import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const BOT = join(import.meta.dirname, "../../src/bot");
/** The grammY session and lock store: a key-value adapter, not money state. */
const SESSION_STORE = "storage.ts";
const MODEL_CALL = /\bdb\.(topUp|user|credit|payment|notification|refund|auditLog|keyValue)\.|\$queryRaw|\$executeRaw|\$transaction/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("src/bot reads and changes money state only through services", () => {
  it("has no database calls of its own, except the session store's key-value rows", () => {
    const found = sources(BOT).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(MODEL_CALL)].map((m) => `${relative(BOT, file)}: ${m[0]}`),
    );
    expect(found.filter((f) => !f.startsWith(`${SESSION_STORE}: db.keyValue.`))).toEqual([]);
    expect(found.length).toBeGreaterThan(0);
  });
});
