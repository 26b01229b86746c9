import { parentPort, workerData } from "node:worker_threads";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";

// The sandbox's PerfectPanel simulator alone on this thread (bench/support/panel-thread.ts).
const { apiKey, users } = workerData as { apiKey: string; users: Record<string, number> };
const panel = await startPerfectPanelSimulator({ apiKey, users, currency: "USD" });
parentPort!.postMessage({ url: panel.url });
parentPort!.once("message", () => void panel.close().then(() => parentPort!.close()));
