import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "../logger.js";

/** `merchants`: a platform's merchant was added, changed, disabled or removed (src/platform/merchant-watcher.ts). */
export type WakeupChannel = "credits" | "notifications" | "merchants";
const CHANNELS: WakeupChannel[] = ["credits", "notifications", "merchants"];
const NOTIFY_EVERY_MS = 5;

/**
 * Wakes workers when there is new work, so they do not poll the database in a busy loop.
 * In one process an in-memory signal; on PostgreSQL also LISTEN/NOTIFY so every instance wakes.
 * Workers still sweep periodically: a lost wake-up only delays work, never loses it.
 */
export interface Wakeup {
  notify(channel: WakeupChannel): void;
  on(channel: WakeupChannel, fn: () => void): () => void;
  close(): Promise<void>;
}

export function createLocalWakeup(): Wakeup & { emitter: EventEmitter } {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    emitter,
    notify: (channel) => void emitter.emit(channel),
    on(channel, fn) {
      emitter.on(channel, fn);
      return () => emitter.off(channel, fn);
    },
    close: async () => void emitter.removeAllListeners(),
  };
}

/**
 * LISTEN and NOTIFY share one connection of their own, outside `pool`: the ledger's hot path keeps
 * every pooled connection, and a wake-up this instance sent (it is listening too) is recognised by
 * its sender's backend and ignored, since local workers were already woken in memory.
 */
export async function createPgWakeup(pool: pg.Pool, log: Logger): Promise<Wakeup> {
  const local = createLocalWakeup();
  const listener = new pg.Client(pool.options);
  await listener.connect();
  const { rows } = await listener.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const ownBackend = rows[0]!.pid;
  let listening = true;
  const channelName = (c: WakeupChannel) => `khqr_${c}`;
  listener.on("notification", (msg) => {
    if (msg.processId === ownBackend) return;
    const channel = CHANNELS.find((c) => channelName(c) === msg.channel);
    if (channel) local.emitter.emit(channel);
  });
  listener.on("error", (err) => {
    listening = false;
    log.warn({ err }, "LISTEN connection failed; workers fall back to periodic sweeps");
  });
  for (const c of CHANNELS) await listener.query(`LISTEN ${channelName(c)}`);
  // Other instances are told at most once per NOTIFY_EVERY_MS, every channel due in one statement:
  // under load every payment would otherwise cost NOTIFY statements of its own (and NOTIFY
  // serialises committing transactions).
  const due = new Set<WakeupChannel>();
  let timer: NodeJS.Timeout | undefined;
  // One NOTIFY at a time on the listening connection (a client runs one query at a time).
  let sending: Promise<void> = Promise.resolve();
  const sendNotify = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const channels = [...due].map(channelName);
    due.clear();
    if (channels.length === 0) return sending;
    sending = sending.then(() =>
      (listening ? listener : pool).query("SELECT pg_notify(c, '') FROM unnest($1::text[]) AS c", [channels]).then(
        () => undefined,
        (err: unknown) => log.warn({ err }, "NOTIFY failed"),
      ),
    );
    return sending;
  };
  return {
    notify(channel) {
      local.notify(channel);
      due.add(channel);
      timer ??= setTimeout(() => void sendNotify(), NOTIFY_EVERY_MS).unref();
    },
    on: local.on,
    async close() {
      // A wake-up still waiting to be sent goes now (a CLI's /recredit must reach the running bot before it exits).
      await sendNotify();
      await local.close();
      await listener.end().catch(() => undefined);
    },
  };
}
