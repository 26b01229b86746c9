/**
 * A panel simulator in a process of its own, as a real panel is a server of its own: the benchmarked application's
 * event loops (ingest, group commits) then do not slow the panel's answers, only the crediter's reading of them.
 * Run as a child (forked with the message {apiKey, slowMs}), it answers {url}; startPanelProcess is the parent's side.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SANDBOX_PANEL_USERS } from "../../sandbox/start-sandbox.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { TSX_EXEC_ARGV } from "./result.js";

interface PanelJob {
  apiKey: string;
  /** The simulator's delay before every answer. */
  slowMs: number;
}

export interface PanelProcess {
  url: string;
  close(): void;
}

export function startPanelProcess(job: PanelJob): Promise<PanelProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: TSX_EXEC_ARGV, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ url: m.url, close: () => child.kill() }));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the panel process exited with code ${code} before it listened`)));
    child.send(job);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  process.once("message", async (job: PanelJob) => {
    const panel = await startPerfectPanelSimulator({ apiKey: job.apiKey, users: SANDBOX_PANEL_USERS });
    panel.faults.slowMs = job.slowMs;
    process.send!({ url: panel.url });
  });
  process.once("disconnect", () => process.exit(0));
}
