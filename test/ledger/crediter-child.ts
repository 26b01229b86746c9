// A crediter in its own process, for the crash test: killed with SIGKILL at random moments.
import pino from "pino";
import { openLedgerDatabase } from "../../src/ledger/hot-path.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import { createOutageTracker } from "../../src/notify/outages.js";
import { createCrediter } from "../../src/jobs/crediter.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

const env = process.env as Record<string, string>;
const log = pino({ level: env.CHILD_LOG_LEVEL ?? "silent" });
const database = await openLedgerDatabase(env.DATABASE_URL!);
const panel = createPanelClient(
  { type: "perfectpanel", url: env.PANEL_URL!, apiKey: env.PANEL_API_KEY!, paymentMethod: "KHQR", currency: "USD" },
  { timeouts: { readMs: 400, writeMs: 400 } },
);
const wakeup = createLocalWakeup();
const crediter = createCrediter(
  { database, panel, wakeup, outages: createOutageTracker({ db: database.db, merchantId: DEFAULT_MERCHANT_ID, adminChats: [-1n], log }), log, metrics: createMetrics(), adminChats: [-1n] },
  { retryForMs: 600_000, leaseMs: 1_000, reconcileDelayMs: 100, concurrency: 4, sweepMs: 50, instanceId: `child-${process.pid}` },
);
// The first query compiles Prisma's query engine; do it before reporting ready so kills land mid-crediting.
await database.db.credit.count();
crediter.start();
process.send?.("started");
