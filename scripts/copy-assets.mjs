// `node scripts/copy-assets.mjs <from> <to>`: copies the files under <from> that tsc does not emit (the SQLite
// checkpoint worker; the sandbox page's HTML, CSS and browser scripts) to the same place under <to>, where the
// compiled modules look for them next to themselves. Locales, fonts and migrations are read from the project
// root by both the TypeScript and the compiled build.
import { copyFileSync, mkdirSync, readdirSync, statSync, utimesSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const [SRC, OUT] = process.argv.slice(2);
if (!SRC || !OUT) throw new Error("usage: node scripts/copy-assets.mjs <from> <to>");

function* assets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* assets(path);
    else if (!entry.name.endsWith(".ts")) yield path;
  }
}

/** Same size and modification time as the source: copied before and unchanged since (the copy keeps the time). */
function unchanged(file, target) {
  const a = statSync(file);
  const b = statSync(target, { throwIfNoEntry: false });
  return b !== undefined && a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);
}

let copied = 0;
for (const file of assets(SRC)) {
  const target = join(OUT, relative(SRC, file));
  if (unchanged(file, target)) continue;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  const { atime, mtime } = statSync(file);
  utimesSync(target, atime, mtime);
  copied++;
}
console.log(`copied ${copied} changed asset file(s) from ${SRC}/ to ${OUT}/`);
