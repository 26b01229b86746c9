import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");
/** Static imports and exports, dynamic import() and import type: every relative module specifier. */
const RELATIVE_IMPORT = /\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(path);
    return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** `file: specifier` for each relative import in `files` that leads outside `inside`. */
function importsLeaving(files: string[], inside: string): string[] {
  return files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(RELATIVE_IMPORT)]
      .filter((m) => relative(inside, resolve(dirname(file), m[1]!)).startsWith(".."))
      .map((m) => `${relative(ROOT, file)}: ${m[1]}`),
  );
}

describe("the sandbox is outside the product", () => {
  it("src/ imports nothing from outside src/ (no simulator, no fake Telegram, no sandbox page)", () => {
    expect(importsLeaving(sources(SRC), SRC)).toEqual([]);
  });

  it("the scan sees imports that leave a folder (sandbox/ imports the application from src/)", () => {
    const sandbox = importsLeaving(sources(join(ROOT, "sandbox")), join(ROOT, "sandbox"));
    expect(sandbox).toContain("sandbox/main.ts: ../src/main.js");
  });
});
