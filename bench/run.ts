/**
 * `npm run bench` runs every benchmark in order; `npm run bench -- qr-card polling` runs those only.
 * Each runs in its own process; its figures are printed as it finishes and written to docs/BENCHMARKS.md
 * (sections of benchmarks not run this time are kept).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage } from "./support/child.js";
import { BENCHMARKS, isBenchName, type BenchName } from "./support/registry.js";
import { readStored, renderText, writeReport } from "./support/report.js";
import { machine, probeLoad, TSX_EXEC_ARGV, type BenchResult, type StoredResult } from "./support/result.js";

const REPORT = fileURLToPath(new URL("../docs/BENCHMARKS.md", import.meta.url));
const CHILD = fileURLToPath(new URL("./support/child.ts", import.meta.url));

function runChild(name: BenchName): Promise<BenchResult> {
  const child = fork(CHILD, [name], { execArgv: [...TSX_EXEC_ARGV, "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    let answer: ChildMessage | undefined;
    child.on("message", (message: ChildMessage) => (answer = message));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (answer?.kind === "result") resolve(answer.result);
      else reject(new Error(answer?.kind === "error" ? answer.message : `benchmark process exited with code ${code} and no result`));
    });
  });
}

const asked = process.argv.slice(2).filter((a) => a !== "--");
const unknown = asked.filter((a) => !isBenchName(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
const names = (Object.keys(BENCHMARKS) as BenchName[]).filter((n) => asked.length === 0 || asked.includes(n));

const where = machine();
console.log(`Benchmarks: ${names.join(", ")}\n${where.cpu}, ${where.cores} cores, ${where.memoryGiB} GiB, Node ${where.node}`);
const started = performance.now();
let failed = 0;
for (const name of names) {
  const loadBefore = probeLoad();
  const t0 = performance.now();
  try {
    const result = await runChild(name);
    const wallSeconds = (performance.now() - t0) / 1000;
    const stored: StoredResult = { ...result, date: new Date().toISOString(), machine: where, wallSeconds, loadBefore, loadAfter: probeLoad() };
    console.log(renderText(stored));
    // Re-read each time: the file is updated after every benchmark, so an interrupted run keeps what it measured.
    writeReport(REPORT, { ...readStored(REPORT), [name]: stored });
  } catch (err) {
    failed++;
    console.error(`\n== ${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s; figures written to docs/BENCHMARKS.md`);
if (failed > 0) process.exitCode = 1;
