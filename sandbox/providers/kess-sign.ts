import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * KESS's `makeSign`, re-derived for the simulator from the PHP at the end of seed 002 (the adapter
 * has its own): drop nulls, ksort, `k=v` joined by `&` skipping `sign`, "" and arrays/objects, then
 * `&key=<secret>`; md5 or HMAC-SHA256 (keyed with the secret) as lower-case hex.
 */
export type KessSignType = "MD5" | "HMAC-SHA256";

export function isKessSignType(value: unknown): value is KessSignType {
  return value === "MD5" || value === "HMAC-SHA256";
}

/** PHP's string conversion for the scalars JSON can carry; floats as PHP prints them for money amounts. */
function phpText(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "1" : "";
  return String(value);
}

function signedText(params: Readonly<Record<string, unknown>>, secret: string): string {
  const pairs = Object.entries(params)
    .filter(([k, v]) => k !== "sign" && v !== null && v !== undefined && v !== "" && typeof v !== "object")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${phpText(v as string | number | boolean)}`);
  return `${pairs.join("&")}&key=${secret}`;
}

export function kessSign(params: Readonly<Record<string, unknown>>, secret: string): string {
  const text = signedText(params, secret);
  if (params.sign_type === "HMAC-SHA256") return createHmac("sha256", secret).update(text).digest("hex");
  if (params.sign_type === "MD5") return createHash("md5").update(text).digest("hex");
  throw new RangeError("KESS simulator: sign_type must be MD5 or HMAC-SHA256");
}

export function kessSignMatches(params: Readonly<Record<string, unknown>>, secret: string): boolean {
  if (typeof params.sign !== "string" || !isKessSignType(params.sign_type)) return false;
  const expected = Buffer.from(kessSign(params, secret));
  const given = Buffer.from(params.sign.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
