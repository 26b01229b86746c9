import { EventEmitter } from "node:events";
import type pg from "pg";
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

export async function createPgWakeup(pool: pg.Pool, log: Logger): Promise<Wakeup> {
  const local = createLocalWakeup();
  const listener = await pool.connect();
  const channelName = (c: WakeupChannel) => `khqr_${c}`;
  listener.on("notification", (msg) => {
    const channel = CHANNELS.find((c) => channelName(c) === msg.channel);
    if (channel) local.emitter.emit(channel);
  });
  listener.on("error", (err) => log.warn({ err }, "LISTEN connection failed; workers fall back to periodic sweeps"));
  for (const c of CHANNELS) await listener.query(`LISTEN ${channelName(c)}`);
  // Other instances are told at most once per NOTIFY_EVERY_MS per channel: under load every payment
  // would otherwise cost NOTIFY statements of its own (and NOTIFY serialises committing transactions).
  const queued = new Map<WakeupChannel, NodeJS.Timeout>();
  const sendNotify = (channel: WakeupChannel): Promise<void> => {
    clearTimeout(queued.get(channel));
    queued.delete(channel);
    return pool.query("SELECT pg_notify($1, '')", [channelName(channel)]).then(
      () => undefined,
      (err: unknown) => log.warn({ err }, "NOTIFY failed"),
    );
  };
  return {
    notify(channel) {
      local.notify(channel);
      if (queued.has(channel)) return;
      queued.set(channel, setTimeout(() => void sendNotify(channel), NOTIFY_EVERY_MS).unref());
    },
    on: local.on,
    async close() {
      // A wake-up still waiting to be sent goes now (a CLI's /recredit must reach the running bot before it exits).
      await Promise.all([...queued.keys()].map(sendNotify));
      await local.close();
      listener.release(true);
    },
  };
}
