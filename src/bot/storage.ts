import type { ConversationData, VersionedState } from "@grammyjs/conversations";
import { RedisAdapter } from "@grammyjs/storage-redis";
import type { StorageAdapter } from "grammy";
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import type { Database, Db } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { SessionData } from "./context.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export type ConversationStore = StorageAdapter<VersionedState<ConversationData>>;

/** Where sessions, conversation state and rate limits live, so restarts and other instances see them. */
export interface BotStorage {
  session: StorageAdapter<SessionData>;
  conversations: ConversationStore;
  /** True when `key` was not taken in the last `windowMs` (and takes it now); false when it is too soon. */
  acquire(key: string, windowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Redis when `REDIS_URL` is set, else the database's key_values table. */
export function createBotStorage(deps: { config: Config; database: Database; log?: Logger }): BotStorage {
  const url = deps.config.runtime.redisUrl;
  if (!url) return databaseStorage(deps.database.db);
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  // ioredis reconnects by itself; without a listener each failed attempt is printed as an unhandled error.
  redis.on("error", (err: Error) => deps.log?.warn({ msg: err.message }, "redis connection error"));
  return redisStorage(redis);
}

function namespaced<T>(adapter: StorageAdapter<T>, namespace: string): StorageAdapter<T> {
  return {
    read: (key) => adapter.read(`${namespace}:${key}`),
    write: (key, value) => adapter.write(`${namespace}:${key}`, value),
    delete: (key) => adapter.delete(`${namespace}:${key}`),
  };
}

export function databaseStorage(db: Db): BotStorage {
  const table: StorageAdapter<unknown> = {
    async read(key) {
      const row = await db.keyValue.findUnique({ where: { key } });
      if (!row || (row.expiresAt && row.expiresAt <= new Date())) return undefined;
      return JSON.parse(row.value) as unknown;
    },
    async write(key, value) {
      const text = JSON.stringify(value);
      await db.keyValue.upsert({ where: { key }, create: { key, value: text }, update: { value: text, expiresAt: null } });
    },
    async delete(key) {
      await db.keyValue.deleteMany({ where: { key } });
    },
  };
  return {
    session: namespaced(table as StorageAdapter<SessionData>, "session"),
    conversations: namespaced(table as ConversationStore, "conv"),
    async acquire(key, windowMs) {
      const now = new Date();
      const until = new Date(now.getTime() + windowMs);
      const name = `rate:${key}`;
      // Conditional update and unique insert: of two instances racing for the same key, one wins.
      const renewed = await db.keyValue.updateMany({ where: { key: name, expiresAt: { lte: now } }, data: { value: "1", expiresAt: until } });
      if (renewed.count === 1) return true;
      try {
        await db.keyValue.create({ data: { key: name, value: "1", expiresAt: until } });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    close: async () => undefined,
  };
}

export function redisStorage(redis: Redis): BotStorage {
  const adapter = <T>(namespace: string) => namespaced(new RedisAdapter<T>({ instance: redis }), `khqr:${namespace}`);
  return {
    session: adapter<SessionData>("session"),
    conversations: adapter<VersionedState<ConversationData>>("conv"),
    async acquire(key, windowMs) {
      return (await redis.set(`khqr:rate:${key}`, "1", "PX", windowMs, "NX")) === "OK";
    },
    async close() {
      await redis.quit();
    },
  };
}
