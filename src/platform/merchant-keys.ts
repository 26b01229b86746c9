import { randomBytes } from "node:crypto";
import { ConfigError } from "../config/config.js";
import type { MasterKey } from "./master-key.js";
import { SealError, sealedKeyId, unwrapDataKey } from "./sealed.js";

/** A new merchant's random keys: the path segment of its webhooks and Telegram's secret_token for its bot. */
export function newMerchantKeys(): { routeKey: string; webhookSecret: string } {
  // base64url is path-safe and within Telegram's secret_token alphabet (A-Z, a-z, 0-9, _ and -).
  return { routeKey: randomBytes(16).toString("base64url"), webhookSecret: randomBytes(32).toString("base64url") };
}

/** A merchant's wrapped data keys as stored. */
export interface WrappedKeys {
  id: number;
  name: string;
  dataKey: string | null;
  previousDataKey: string | null;
}

/**
 * The merchant's data key, unwrapped with `master`: the current wrapping, or during a rotation the previous one
 * (an instance still started with the old MASTER_KEY). A key that opens neither is a wrong MASTER_KEY: a
 * ConfigError naming it, with both key ids and never a key.
 */
export function dataKeyOf(row: WrappedKeys, master: MasterKey): Buffer {
  if (row.dataKey === null) throw new Error(`merchant "${row.name}" has no data key (the environment merchant's settings are in the environment)`);
  const wrapped = [row.dataKey, row.previousDataKey].find((w): w is string => w !== null && sealedKeyId(w) === master.id);
  if (wrapped === undefined) {
    throw new ConfigError([`MASTER_KEY: not the key merchant "${row.name}"'s secrets are stored under (stored under key id ${sealedKeyId(row.dataKey)}, this MASTER_KEY's id is ${master.id}): use the platform's MASTER_KEY`]);
  }
  try {
    return unwrapDataKey(master.key, row.id, wrapped);
  } catch (err) {
    if (err instanceof SealError) throw new ConfigError([`MASTER_KEY: merchant "${row.name}"'s data key does not open with it (${err.message})`]);
    throw err;
  }
}
