import { Writable } from "node:stream";
import { parentPort, workerData } from "node:worker_threads";
import { EventEmitter } from "node:events";
import { createBotApi } from "../bot/bot.js";
import type { Wakeup, WakeupChannel } from "../db/wakeup.js";
import { openLedgerDatabase, type LedgerDatabase } from "../ledger/hot-path.js";
import { createLogger } from "../logger.js";
import { createOutageTracker } from "../notify/outages.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";
import { createPanelClient } from "../panel/create-panel-client.js";
import { createCreditingJobs } from "./jobs.js";
import { forwardedMetrics } from "./metrics-forwarding.js";
import type { CreditingThreadData, FromThread, ToThread } from "./protocol.js";

// The crediting thread (started by src/crediting/thread.ts): the crediter and the notifier over connections of
// their own. SQLite's single writer holds: each connection writes in IMMEDIATE transactions, and a writer that
// finds the database locked waits its turn (the hot path retries asynchronously, Prisma waits up to its timeout).
const port = parentPort!;
const data = workerData as CreditingThreadData;
const send = (m: FromThread) => port.postMessage(m);

const log = createLogger({
  level: data.logLevel,
  // The main thread's logger stream masks secret values; key redaction happens here.
  secrets: [],
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      send({ kind: "log", line: chunk.toString("utf8") });
      done();
    },
  }),
}).child({ thread: "crediting" });
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
  const panel = createPanelClient(config.panel, { log, maxConnections: config.crediter.panelMaxConnections, timeouts: data.panelTimeouts });
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  const outages = createOutageTracker({ db: database.db, merchantId: DEFAULT_MERCHANT_ID, adminChats, log, onChange: () => wakeup.notify("notifications") });
  const jobs = createCreditingJobs({
    config, timings: data.timings, instanceId: data.instanceId, database, wakeup, panel, outages, log, metrics,
    api: createBotApi(config.bot.token, config.bot.apiRoot),
  });
  jobs.crediter.start();
  jobs.notifier.start();
  return { database, jobs };
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
