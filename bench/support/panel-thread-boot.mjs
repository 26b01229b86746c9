// The panel thread's first module (bench/support/panel-thread.ts starts it): registers tsx's loader, then runs the TypeScript entry.
import { workerData } from "node:worker_threads";

(await import("tsx/esm/api")).register();
await import(workerData.entry);
