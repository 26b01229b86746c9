// `npm run build` (and so `npm start`): compiles src/ to dist/ with tsc --incremental (tsconfig.build.json keeps
// its tsBuildInfoFile in dist/), then copies the non-TypeScript files. When no input changed since the last
// build — every file under src/, the tsconfigs and the lockfile, by path, size and modification time — it
// does nothing at all, so a second `npm start` starts at once.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const STAMP = "dist/.build-inputs";
const INPUTS = ["src", "tsconfig.json", "tsconfig.build.json", "package-lock.json", "scripts/build.mjs", "scripts/copy-assets.mjs"];

function* files(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) {
    yield `${path}\t${stat.size}\t${stat.mtimeMs}`;
    return;
  }
  for (const entry of readdirSync(path).sort()) yield* files(join(path, entry));
}

const hash = createHash("sha256");
for (const input of INPUTS) for (const line of files(input)) hash.update(`${line}\n`);
const fingerprint = hash.digest("hex");

if (existsSync("dist/main.js") && existsSync(STAMP) && readFileSync(STAMP, "utf8") === fingerprint) {
  console.log("dist/ is up to date: nothing to compile");
  process.exit(0);
}
const run = (args) => {
  const result = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run(["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
run(["scripts/copy-assets.mjs"]);
writeFileSync(STAMP, fingerprint);
