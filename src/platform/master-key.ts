import { ConfigError } from "../config/config.js";
import type { Env } from "../config/reader.js";
import { keyId } from "./sealed.js";

/** The platform's key-encryption key: it wraps every merchant's data key and is never stored. */
export interface MasterKey {
  /** First 8 hex digits of the key's SHA-256: stored with what it wraps, so a wrong key or a rotation shows. */
  id: string;
  key: Buffer;
}

const KEY_BYTES = 32;
/** 32 bytes are exactly 44 base64 characters, the last one `=`. */
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** Reads MASTER_KEY (or NEW_MASTER_KEY) from `env`: 32 random bytes in base64. The problem never quotes the value. */
export function readMasterKey(env: Env, name: "MASTER_KEY" | "NEW_MASTER_KEY" = "MASTER_KEY"): MasterKey {
  const text = env[name]?.trim();
  if (!text) throw new ConfigError([`${name}: required on a platform but not set (32 random bytes in base64: \`openssl rand -base64 32\`)`]);
  const key = Buffer.from(text, "base64");
  if (!BASE64_32_BYTES.test(text) || key.length !== KEY_BYTES) {
    throw new ConfigError([`${name}: must be ${KEY_BYTES} random bytes in base64, 44 characters ending in = (\`openssl rand -base64 32\`)`]);
  }
  return { id: keyId(key), key };
}
