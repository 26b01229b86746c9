// Copies the files under src/ that tsc does not emit (the sandbox page's HTML, CSS and browser scripts) to
// the same place under dist/, where the compiled modules look for them next to themselves. Locales, fonts
// and migrations are read from the project root by both the TypeScript and the compiled build.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const SRC = "src";
const OUT = "dist";

function* assets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* assets(path);
    else if (!entry.name.endsWith(".ts")) yield path;
  }
}

let copied = 0;
for (const file of assets(SRC)) {
  const target = join(OUT, relative(SRC, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  copied++;
}
console.log(`copied ${copied} asset file(s) from ${SRC}/ to ${OUT}/`);
