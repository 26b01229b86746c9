import { Worker } from "node:worker_threads";
import { SANDBOX_PANEL_USERS } from "../../sandbox/start-sandbox.js";

/**
 * The sandbox's PerfectPanel simulator on a worker thread of its own, as a real panel is another server: a panel
 * answering on the application's main thread answers only when ingest leaves that event loop a turn, and the
 * crediter's adaptive limit reads that wait as the panel's load.
 */
export async function startPanelThread(apiKey: string): Promise<{ url: string; close(): Promise<void> }> {
  const entry = new URL("./panel-thread-main.ts", import.meta.url).href;
  const worker = new Worker(new URL("./panel-thread-boot.mjs", import.meta.url), { workerData: { entry, apiKey, users: SANDBOX_PANEL_USERS } });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once("message", (m: { url: string }) => resolve(m.url));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the panel thread exited (${code}) before it listened`)));
  });
  return {
    url,
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("close");
      await exited;
    },
  };
}
