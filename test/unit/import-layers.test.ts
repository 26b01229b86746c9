import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/**
 * The layers of src/, lowest first (README, "Architecture"). A module may import its own folder and any folder
 * of a lower layer, never a higher one nor a sibling of its own layer: money and the KHQR codec know nothing;
 * configuration reads amounts; the database opens connections; the ledger owns the money tables, their states
 * and transitions and builds its hot path from db's connections; everything that moves money goes through it.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["money", "khqr", "http", "secret-mask", "generated"],
  ["config"],
  ["logger", "metrics"],
  ["db"],
  ["ledger"],
  ["customers", "notify", "panel"],
  ["payments"],
  ["platform"],
  ["jobs"],
  ["admin"],
  ["bot", "server", "startup"],
  ["onboarding"],
  ["merchants", "operator"],
  ["services", "crediting"],
  ["cli", "main"],
];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Static imports and re-exports (`import type` / `export type` are type-only) and dynamic import(). */
const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" && dir === SRC ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

function edges(): Edge[] {
  return sources(SRC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => ({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), (m[3] ?? m[4])!)).replace(/\.js$/, ".ts"),
      typeOnly: m[2] !== undefined,
    })),
  );
}

/** The folder under src/ a module belongs to (a top-level file is its own: "main", "services"). */
const part = (path: string) => (path.includes("/") ? path.split("/")[0]! : path.replace(/\.ts$/, ""));
const layerOf = (path: string) => LAYERS.findIndex((layer) => layer.includes(part(path)));

/** Tarjan's strongly connected components of the module graph: every import circle. */
function circles(all: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of all) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("imports in src/ point one way: down the layers", () => {
  const all = edges();

  it("every folder of src/ has a layer", () => {
    const parts = new Set(sources(SRC).map((f) => part(relative(SRC, f))));
    expect([...parts].filter((p) => !LAYERS.flat().includes(p))).toEqual([]);
  });

  it("no module imports a higher layer or a sibling folder of its own layer", () => {
    const upward = all.filter((e) => part(e.from) !== part(e.to) && layerOf(e.to) >= layerOf(e.from));
    expect(upward.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it("no import circle, except two modules that name each other's types only", () => {
    const typeOnly = (a: string, b: string) => all.filter((e) => e.from === a && e.to === b).every((e) => e.typeOnly);
    const allowed = (c: string[]) => c.length === 2 && (typeOnly(c[0]!, c[1]!) || typeOnly(c[1]!, c[0]!));
    expect(circles(all).filter((c) => !allowed(c))).toEqual([]);
  });

  it("the checks can fail: they see an upward import and a circle when there is one", () => {
    const bad: Edge[] = [
      { from: "db/database.ts", to: "ledger/hot-path.ts", typeOnly: false },
      { from: "ledger/hot-path.ts", to: "db/database.ts", typeOnly: false },
    ];
    expect(bad.filter((e) => layerOf(e.to) >= layerOf(e.from))).toHaveLength(1);
    expect(circles(bad)).toEqual([["db/database.ts", "ledger/hot-path.ts"]]);
    expect(all.length).toBeGreaterThan(500);
  });
});
