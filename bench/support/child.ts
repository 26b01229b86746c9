/**
 * Runs one benchmark in a fresh process (started by bench/run.ts with --expose-gc), so one
 * benchmark's servers, garbage and heap do not distort the next one's figures.
 */
import { BENCHMARKS, isBenchName } from "./registry.js";
import type { BenchResult } from "./result.js";

export type ChildMessage = { kind: "result"; result: BenchResult } | { kind: "error"; message: string };

const name = process.argv[2] ?? "";
const reply = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else {
      console.log(JSON.stringify(message, null, 2));
      resolve();
    }
  });

try {
  if (!isBenchName(name)) throw new Error(`unknown benchmark "${name}"`);
  const bench = await BENCHMARKS[name]();
  await reply({ kind: "result", result: await bench.run() });
} catch (err) {
  await reply({ kind: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
}
// Leftover keep-alive sockets and timers must not keep a finished benchmark alive.
process.exit();
