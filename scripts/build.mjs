// `npm run build` (and so `npm start`): compiles src/ to dist/ with tsc --incremental (tsconfig.build.json keeps
// its tsBuildInfoFile in dist/), then copies the non-TypeScript files. When no input changed since the last
// build — every file under src/, the tsconfigs and the lockfile, by path, size and modification time — it
// does nothing at all, so a second `npm start` starts at once.
// `node scripts/build.mjs sandbox` (run by `npm start` with no configuration) builds dist/ the same way, then
// the sandbox: sandbox/ to dist-sandbox/sandbox/, beside a link dist-sandbox/src → dist, so the sandbox runs
// the production build's own modules. Nothing from sandbox/ ever lands in dist/.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const COMMON = ["tsconfig.json", "tsconfig.build.json", "package-lock.json", "scripts/build.mjs", "scripts/copy-assets.mjs"];
const TARGETS = {
  app: { tsconfig: "tsconfig.build.json", from: "src", to: "dist", stamp: "dist/.build-inputs", entry: "dist/main.js", inputs: ["src", ...COMMON] },
  // dist/.build-inputs changes whenever dist/ is rebuilt, whose declarations the sandbox compiles against.
  sandbox: { tsconfig: "tsconfig.sandbox.json", from: "sandbox", to: "dist-sandbox/sandbox", stamp: "dist-sandbox/.build-inputs", entry: "dist-sandbox/sandbox/main.js", inputs: ["sandbox", "tsconfig.sandbox.json", "dist/.build-inputs", ...COMMON] },
};

function* files(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) {
    yield `${path}\t${stat.size}\t${stat.mtimeMs}`;
    return;
  }
  for (const entry of readdirSync(path).sort()) yield* files(join(path, entry));
}

const run = (args) => {
  const result = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/** Removes compiled files whose source is gone (a moved or deleted module must not linger in the build). */
function prune(from, to) {
  if (!existsSync(to)) return;
  for (const entry of readdirSync(to, { withFileTypes: true })) {
    const out = join(to, entry.name);
    if (entry.isSymbolicLink() || entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) {
      if (existsSync(join(from, entry.name))) prune(join(from, entry.name), out);
      else rmSync(out, { recursive: true, force: true });
      continue;
    }
    const source = entry.name.replace(/(\.d\.ts|\.js\.map|\.js)$/, ".ts");
    if (!existsSync(join(from, source)) && !existsSync(join(from, entry.name))) rmSync(out);
  }
}

function build(target) {
  const hash = createHash("sha256");
  for (const input of target.inputs) for (const line of files(input)) hash.update(`${line}\n`);
  const fingerprint = hash.digest("hex");
  if (existsSync(target.entry) && existsSync(target.stamp) && readFileSync(target.stamp, "utf8") === fingerprint) {
    console.log(`${target.to}/ is up to date: nothing to compile`);
    return;
  }
  prune(target.from, target.to);
  run(["node_modules/typescript/bin/tsc", "-p", target.tsconfig]);
  run(["scripts/copy-assets.mjs", target.from, target.to]);
  writeFileSync(target.stamp, fingerprint);
}

build(TARGETS.app);
if (process.argv[2] === "sandbox") {
  mkdirSync("dist-sandbox", { recursive: true });
  if (!lstatSync("dist-sandbox/src", { throwIfNoEntry: false })) symlinkSync("../dist", "dist-sandbox/src", "dir");
  build(TARGETS.sandbox);
}
