import type { ConversationData, VersionedState } from "@grammyjs/conversations";
import { RedisAdapter } from "@grammyjs/storage-redis";
import type { StorageAdapter } from "grammy";
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import type { Db } from "../db/database.js";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { Logger } from "../logger.js";
import type { SessionData } from "./context.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export type ConversationStore = StorageAdapter<VersionedState<ConversationData>>;

/**
 * Where one merchant's bot keeps sessions, conversation state and rate limits, so restarts and other instances see
 * them. Keys are per merchant (one bot each): a chat with one shop's bot shares nothing with another's.
 */
export interface BotStorage {
  session: StorageAdapter<SessionData>;
  conversations: ConversationStore;
  /** True when `key` was not taken in the last `windowMs` (and takes it now); false when it is too soon. */
  acquire(key: string, windowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Redis when `REDIS_URL` is set, else the database's key_values table. */
export function createBotStorage(deps: { config: Config; database: MerchantDatabase; log?: Logger }): BotStorage {
  const url = deps.config.runtime.redisUrl;
  const { merchantId } = deps.database;
  if (!url) return databaseStorage(deps.database.db, merchantId);
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  // ioredis reconnects by itself; without a listener each failed attempt is printed as an unhandled error.
  redis.on("error", (err: Error) => deps.log?.warn({ msg: err.message }, "redis connection error"));
  return redisStorage(redis, merchantId);
}

function namespaced<T>(adapter: StorageAdapter<T>, namespace: string): StorageAdapter<T> {
  return {
    read: (key) => adapter.read(`${namespace}:${key}`),
    write: (key, value) => adapter.write(`${namespace}:${key}`, value),
    delete: (key) => adapter.delete(`${namespace}:${key}`),
  };
}

export function databaseStorage(db: Db, merchantId: number): BotStorage {
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
    session: namespaced(table as StorageAdapter<SessionData>, `session:${merchantId}`),
    conversations: namespaced(table as ConversationStore, `conv:${merchantId}`),
    async acquire(key, windowMs) {
      const now = new Date();
      const until = new Date(now.getTime() + windowMs);
      const name = `rate:${merchantId}:${key}`;
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

export function redisStorage(redis: Redis, merchantId: number): BotStorage {
  const adapter = <T>(namespace: string) => namespaced(new RedisAdapter<T>({ instance: redis }), `khqr:${namespace}:${merchantId}`);
  return {
    session: adapter<SessionData>("session"),
    conversations: adapter<VersionedState<ConversationData>>("conv"),
    async acquire(key, windowMs) {
      return (await redis.set(`khqr:rate:${merchantId}:${key}`, "1", "PX", windowMs, "NX")) === "OK";
    },
    async close() {
      await redis.quit();
    },
  };
}
