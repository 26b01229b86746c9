import { createHash, createHmac } from "node:crypto";
import { constantTimeEqual } from "../constant-time.js";

/** The two `sign_type` values KESS accepts on the wire (the same strings as `KessConfig.signType`). */
export const KESS_SIGN_TYPES = ["MD5", "HMAC-SHA256"] as const;
export type KessSignType = (typeof KESS_SIGN_TYPES)[number];

export function isKessSignType(value: unknown): value is KessSignType {
  return typeof value === "string" && (KESS_SIGN_TYPES as readonly string[]).includes(value);
}

/**
 * A scalar as PHP's string concatenation renders it: true → "1", false → "", integers in decimal,
 * other numbers as PHP's `(string)$float` with precision 14 ("10.5", "0.3", "1.0E-5").
 * Safe integers are taken to be PHP ints, as `json_decode` would make them.
 */
export function phpString(value: string | number | boolean | bigint): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "1" : "";
  if (typeof value === "bigint" || Number.isSafeInteger(value)) return String(value);
  return phpFloatString(value);
}

function phpFloatString(n: number): string {
  if (Number.isNaN(n)) return "NAN";
  if (!Number.isFinite(n)) return n > 0 ? "INF" : "-INF";
  const [mantissa, exponentText] = n.toExponential(13).split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 14) {
    let m = mantissa.replace(/\.?0+$/, "");
    if (!m.includes(".")) m += ".0";
    return `${m}E${exponent < 0 ? "-" : "+"}${Math.abs(exponent)}`;
  }
  return String(Number(n.toPrecision(14)));
}

/**
 * The seed's `toUrlParams`: drop nulls, ksort, then `k=v` joined by `&`, skipping `sign`, empty
 * strings, arrays and objects; finally `trim($buff, "&")`. Keys sort by their UTF-8 bytes, which is
 * what PHP's ksort does for non-numeric string keys (every key KESS uses).
 */
export function toUrlParams(values: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(values).filter(([, v]) => v !== null && v !== undefined);
  entries.sort(([a], [b]) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  let buff = "";
  for (const [k, v] of entries) {
    if (k === "sign" || v === "" || typeof v === "object") continue;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint") {
      throw new TypeError(`KESS sign: field ${k} is a ${typeof v}, which PHP cannot receive`);
    }
    buff += `${k}=${phpString(v)}&`;
  }
  return buff.replace(/^&+|&+$/g, "");
}

/**
 * The seed's `makeSign`: `toUrlParams(params) + "&key=" + key`, then md5 (lower-case hex, as PHP's
 * md5()) or HMAC-SHA256 keyed with the same secret (lower-case hex, as hash_hmac()), chosen by
 * `params.sign_type`. PHP would return the unhashed string, secret included, for any other
 * sign_type; this throws instead.
 */
export function makeSign(params: Readonly<Record<string, unknown>>, key: string): string {
  const signType = params.sign_type;
  const text = `${toUrlParams(params)}&key=${key}`;
  if (signType === "MD5") return createHash("md5").update(text, "utf8").digest("hex");
  if (signType === "HMAC-SHA256") return createHmac("sha256", key).update(text, "utf8").digest("hex");
  throw new RangeError(`KESS sign: unsupported sign_type ${JSON.stringify(signType)} (expected MD5 or HMAC-SHA256)`);
}

/**
 * Checks `params.sign` in constant time. A hex digest's letter case carries no information, so an
 * upper-case sign is accepted. A missing or unsupported sign_type fails.
 */
export function verifySign(params: Readonly<Record<string, unknown>>, key: string): boolean {
  const given = params.sign;
  if (typeof given !== "string" || !isKessSignType(params.sign_type)) return false;
  return constantTimeEqual(given.toLowerCase(), makeSign(params, key));
}
