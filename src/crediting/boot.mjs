// The crediting thread's first module (src/crediting/thread.ts starts it). From the TypeScript sources (tests,
// `npm run dev`, benchmarks) it first registers tsx's loader in this thread; the build (dist/) loads plain JS.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) (await import("tsx/esm/api")).register();
await import(workerData.entry);
