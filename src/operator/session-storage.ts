import type { StorageAdapter } from "grammy";
import { Redis } from "ioredis";
import { databaseStorage, redisStorage, type BotStorage } from "../bot/storage.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { OperatorSession } from "./context.js";

/**
 * The shops' bot storage is keyed by merchant id (`session:<merchantId>:<chat>`); merchant ids start at 1, so 0
 * is the operators' bot's own and collides with no shop's.
 */
export const OPERATOR_STORAGE_ID = 0;

/** The operators' bot's per-chat sessions: Redis when REDIS_URL is set, else the database's key_values table. */
export function operatorSessionStorage(deps: { db: Db; redisUrl?: string; log: Logger }): { session: StorageAdapter<OperatorSession>; close(): Promise<void> } {
  let storage: BotStorage;
  if (deps.redisUrl) {
    const redis = new Redis(deps.redisUrl, { maxRetriesPerRequest: 3 });
    redis.on("error", (err: Error) => deps.log.warn({ msg: err.message }, "redis connection error"));
    storage = redisStorage(redis, OPERATOR_STORAGE_ID);
  } else {
    storage = databaseStorage(deps.db, OPERATOR_STORAGE_ID);
  }
  // The adapter stores whatever JSON it is given; its type names the shops' session only.
  return { session: storage.session as unknown as StorageAdapter<OperatorSession>, close: () => storage.close() };
}
