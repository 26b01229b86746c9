import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM envelope encryption. A merchant's secrets are sealed under its own data key; the data key is sealed
 * (wrapped) under the master key. Each sealed text is `<key id>:<base64 of nonce, tag, ciphertext>`: the key id
 * (first 8 hex digits of the sealing key's SHA-256) tells a wrong or rotated key from tampering. The associated
 * data binds a sealed text to where it belongs (a merchant, a variable), so one copied elsewhere fails to open.
 */

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed text that does not open: tampered with, moved, or sealed under another key. */
export class SealError extends Error {
  constructor(
    readonly reason: "other_key" | "tampered" | "malformed",
    message: string,
  ) {
    super(message);
    this.name = "SealError";
  }
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

export function seal(key: Buffer, plain: Buffer, associated: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associated, "utf8"));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return `${keyId(key)}:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64")}`;
}

/** The id of the key `sealed` was sealed under, without opening it. */
export function sealedKeyId(sealed: string): string {
  return sealed.slice(0, sealed.indexOf(":"));
}

export function open(key: Buffer, sealed: string, associated: string): Buffer {
  const colon = sealed.indexOf(":");
  if (colon !== 8) throw new SealError("malformed", "not a sealed value");
  const id = sealed.slice(0, colon);
  if (id !== keyId(key)) throw new SealError("other_key", `sealed under key ${id}, not ${keyId(key)}`);
  const raw = Buffer.from(sealed.slice(colon + 1), "base64");
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SealError("malformed", "sealed value too short");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(associated, "utf8"));
  decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealError("tampered", "does not authenticate: changed, or moved from another merchant or variable");
  }
}

/** What a merchant's data key is bound to when wrapped. */
export const dataKeyContext = (merchantId: number) => `merchant ${merchantId} data key`;
/** What a merchant's secret value is bound to: the merchant and the variable. */
export const valueContext = (merchantId: number, name: string) => `merchant ${merchantId} variable ${name}`;

export function wrapDataKey(master: Buffer, merchantId: number, dataKey: Buffer): string {
  return seal(master, dataKey, dataKeyContext(merchantId));
}

export function unwrapDataKey(master: Buffer, merchantId: number, wrapped: string): Buffer {
  return open(master, wrapped, dataKeyContext(merchantId));
}

export function sealValue(dataKey: Buffer, merchantId: number, name: string, value: string): string {
  return seal(dataKey, Buffer.from(value, "utf8"), valueContext(merchantId, name));
}

export function openValue(dataKey: Buffer, merchantId: number, name: string, sealed: string): string {
  return open(dataKey, sealed, valueContext(merchantId, name)).toString("utf8");
}
