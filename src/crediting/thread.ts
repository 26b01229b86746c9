import pino from "pino";
import { Worker } from "node:worker_threads";
import type { Wakeup, WakeupChannel } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import type { MerchantContext } from "../merchants/context.js";
import type { MerchantRegistry } from "../merchants/registry.js";
import type { Metrics } from "../metrics.js";
import { replayMetricCalls } from "./metrics-forwarding.js";
import type { CreditingThreadData, FromThread, ThreadMerchant, ToThread } from "./protocol.js";

const CHANNELS: readonly WakeupChannel[] = ["credits", "notifications"];

export interface CreditingThread {
  /** Whether the thread's crediter and notifier run (for /readyz). */
  readonly running: boolean;
  /** Resolves once the thread's crediter and notifier started; rejects when it could not start them. */
  started: Promise<void>;
  /** Rejects if the thread cannot start, or fails after it started (an uncaught error in it). */
  failed: Promise<never>;
  /** Stops the crediter (credits in flight finish) and the notifier, closes the thread's connections, ends it. */
  stop(): Promise<void>;
}

/**
 * Runs the crediter and the notifier on a worker thread of their own (src/crediting/worker.ts), so that
 * crediting and receipts use the second core while this thread takes webhooks. The thread serves every merchant
 * in `merchants` and follows its changes. Wake-ups cross between the threads both ways; the thread's metric calls
 * are replayed on `metrics` and its log lines written to `log`'s stream.
 */
export function startCreditingThread(
  data: Omit<CreditingThreadData, "entry" | "merchants">,
  deps: { log: Logger; metrics: Metrics; wakeup: Wakeup; merchants: MerchantRegistry },
): CreditingThread {
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url).href;
  const merchants = deps.merchants.all().map(threadMerchant);
  const worker = new Worker(new URL("./boot.mjs", import.meta.url), { workerData: { ...data, merchants, entry } satisfies CreditingThreadData });
  const send = (m: ToThread) => worker.postMessage(m);
  // The registry is the one record of the merchants served: the thread follows it (a platform's merchant watcher
  // puts and drops them as they are added, changed, disabled or removed).
  const unwatch = deps.merchants.watch({
    served: (context) => send({ kind: "serve", merchant: threadMerchant(context) }),
    dropped: (id) => send({ kind: "drop", id }),
  });
  const stream = (deps.log as unknown as Record<symbol, NodeJS.WritableStream>)[pino.symbols.streamSym]!;
  let running = false;

  // A wake-up here goes to the thread at most once per channel and turn; one the thread sent is not sent back.
  const pending = new Set<WakeupChannel>();
  let relaying = false;
  const unsubscribe = CHANNELS.map((channel) =>
    deps.wakeup.on(channel, () => {
      if (relaying || pending.has(channel)) return;
      pending.add(channel);
      setImmediate(() => {
        pending.delete(channel);
        send({ kind: "wake", channel });
      });
    }),
  );

  let onStarted!: () => void;
  let onNotStarted!: (err: Error) => void;
  const started = new Promise<void>((resolve, reject) => ((onStarted = resolve), (onNotStarted = reject)));
  let onFailed!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (onFailed = reject));
  failed.catch(() => undefined);
  started.catch(() => undefined);

  worker.on("message", (m: FromThread) => {
    switch (m.kind) {
      case "started":
        running = true;
        return onStarted();
      case "failed": {
        const err = new Error(`the crediting thread could not start: ${m.message}`);
        deps.log.fatal({ err }, "the crediting thread could not start: credits and receipts wait until a restart");
        onNotStarted(err);
        return onFailed(err);
      }
      case "wake":
        relaying = true;
        try {
          deps.wakeup.notify(m.channel);
        } finally {
          relaying = false;
        }
        return;
      case "metrics":
        return replayMetricCalls(deps.metrics, m.calls);
      case "log":
        stream.write(m.line);
        return;
      case "stopped":
        // Everything it sent came before this (messages keep their order); what it still holds open is only sockets.
        running = false;
        void worker.terminate();
        return;
    }
  });
  let stopping = false;
  worker.on("error", (err) => {
    running = false;
    deps.log.fatal({ err }, "the crediting thread failed: credits and receipts stop until a restart");
    onNotStarted(err);
    onFailed(err);
  });
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", (code) => {
      running = false;
      for (const off of unsubscribe) off();
      unwatch();
      const err = new Error(`the crediting thread exited (${code})`);
      onNotStarted(err);
      if (!stopping) onFailed(err);
      resolve();
    }),
  );

  return {
    get running() {
      return running;
    },
    started,
    failed,
    stop() {
      if (!stopping) {
        stopping = true;
        send({ kind: "stop" });
      }
      return exited;
    },
  };
}

const threadMerchant = (context: MerchantContext): ThreadMerchant => ({ id: context.id, config: context.config, secrets: context.secrets });
