import { Writable } from "node:stream";
import { parentPort, workerData } from "node:worker_threads";
import { EventEmitter } from "node:events";
import type { Wakeup, WakeupChannel } from "../db/wakeup.js";
import { openLedgerDatabase, type LedgerDatabase } from "../ledger/hot-path.js";
import { createLogger, secretMaskOf } from "../logger.js";
import { createCreditingJobs } from "./jobs.js";
import { forwardedMetrics } from "./metrics-forwarding.js";
import type { CreditingThreadData, FromThread, ToThread } from "./protocol.js";
import { createThreadMerchants, type ThreadMerchants } from "./thread-merchants.js";

// The crediting thread (started by src/crediting/thread.ts): the crediter and the notifier over connections of
// their own, for every merchant the main thread serves (a single shop's, or a platform's as they come and go).
// SQLite's single writer holds: each connection writes in IMMEDIATE transactions, and a writer that finds the
// database locked waits its turn (the hot path retries asynchronously, Prisma waits up to its timeout).
const port = parentPort!;
const data = workerData as CreditingThreadData;
const send = (m: FromThread) => port.postMessage(m);

const root = createLogger({
  level: data.logLevel,
  // Each merchant's secret values are masked as it is served (thread-merchants.ts); the main thread's logger
  // stream masks its own secrets again.
  secrets: [],
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      send({ kind: "log", line: chunk.toString("utf8") });
      done();
    },
  }),
});
const log = root.child({ thread: "crediting" });
const { metrics, flush } = forwardedMetrics((calls) => send({ kind: "metrics", calls }));

/** Wake-ups inside this thread, and to the main thread (which relays them to its workers and, on PostgreSQL, to other instances). */
const emitter = new EventEmitter();
const pending = new Set<WakeupChannel>();
const wakeup: Wakeup = {
  notify(channel) {
    emitter.emit(channel);
    if (pending.has(channel)) return;
    pending.add(channel);
    setImmediate(() => {
      pending.delete(channel);
      send({ kind: "wake", channel });
    });
  },
  on(channel, fn) {
    emitter.on(channel, fn);
    return () => emitter.off(channel, fn);
  },
  close: async () => void emitter.removeAllListeners(),
};

async function start() {
  const { config } = data;
  const database: LedgerDatabase = await openLedgerDatabase(config.runtime.databaseUrl, {
    existing: "read-write",
    checkpoint: false,
    onPoolError: (err) => log.warn({ err }, "a PostgreSQL connection failed; the pool replaces it"),
  });
  merchants = createThreadMerchants({ database, wakeup, log, mask: secretMaskOf(root)! }, { panelTimeouts: data.panelTimeouts });
  for (const merchant of data.merchants) merchants.serve(merchant);
  for (const m of early.splice(0)) follow(m);
  const jobs = createCreditingJobs({
    config, timings: data.timings, instanceId: data.instanceId, database, wakeup, log, metrics,
    credits: merchants.credits, deliveries: merchants.deliveries, perMerchant: data.perMerchant,
  });
  jobs.crediter.start();
  jobs.notifier.start();
  return { database, jobs };
}

let merchants: ThreadMerchants | undefined;
/** Merchants served or dropped while the database was being opened: applied, in order, once it is. */
const early: ToThread[] = [];
function follow(m: ToThread): void {
  if (!merchants) return void early.push(m);
  if (m.kind === "serve") merchants.serve(m.merchant);
  else if (m.kind === "drop") merchants.drop(m.id);
}

const running = start();
running.then(
  () => send({ kind: "started" }),
  (err: unknown) => send({ kind: "failed", message: err instanceof Error ? err.message : String(err) }),
);

port.on("message", (m: ToThread) => {
  if (m.kind === "wake") {
    emitter.emit(m.channel);
    return;
  }
  if (m.kind === "serve" || m.kind === "drop") return follow(m);
  void (async () => {
    try {
      const { database, jobs } = await running;
      await Promise.all([jobs.crediter.stop(), jobs.notifier.stop()]);
      await wakeup.close();
      await database.close();
    } catch {
      // It did not start (and said so), or closing failed: the thread ends either way.
    }
    flush();
    // The main thread ends this thread on this message (keep-alive sockets to the panel would hold it open).
    send({ kind: "stopped" });
  })();
});
