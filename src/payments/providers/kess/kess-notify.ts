import { phpString } from "./kess-signing.js";

/**
 * makeSign's text is `k=v&k=v&…&key=SECRET` with nothing escaped, so a captured notification could be
 * re-cut (a `&b=2` moved into a value) and still verify. Before a sign counts, every signed key and
 * value must be in its exact format. The notify body is not documented (seed 002 lists no params), so
 * the known fields are held to what queryOrder shows for them, and any other field to plain text.
 */
const KNOWN: Readonly<Record<string, RegExp>> = {
  out_trade_no: /^[A-Za-z0-9-]{1,32}$/,
  token: /^[A-Za-z0-9]{1,64}$/,
  transaction_id: /^[A-Za-z0-9-]{0,64}$/,
  total_amount: /^\d{1,13}(\.\d{1,2})?$/,
  currency: /^[A-Za-z]{3}$/,
  // The seed prints "WAITING " with a trailing space.
  status: /^[A-Za-z_]{1,32} ?$/,
  paid_at: /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$/,
  sign_type: /^(MD5|HMAC-SHA256)$/,
};
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Free text (e.g. `body`): no separator of the signed text, no control characters. */
const PLAIN_TEXT = /^[^&=\p{Cc}]{0,1024}$/u;
const SIGN_LENGTH = { MD5: 32, "HMAC-SHA256": 64 } as const;

/** Why a signed notification's fields are not in their exact formats (one of a fixed set of reasons), or undefined. */
export function notifyFormatProblem(fields: Readonly<Record<string, unknown>>): string | undefined {
  for (const [key, value] of Object.entries(fields)) {
    if (!KEY.test(key)) return "malformed field name";
    // Null, arrays and objects never enter the signed text.
    if (value === null || typeof value === "object") continue;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return "malformed field";
    if (typeof value === "number" && !Number.isFinite(value)) return "malformed field";
    const text = phpString(value);
    if (key === "sign") {
      const length = SIGN_LENGTH[fields.sign_type as keyof typeof SIGN_LENGTH];
      if (typeof value !== "string" || !/^[0-9a-fA-F]+$/.test(value) || value.length !== length) return "malformed sign";
      continue;
    }
    const format = Object.hasOwn(KNOWN, key) ? KNOWN[key]! : PLAIN_TEXT;
    if (!format.test(text)) return Object.hasOwn(KNOWN, key) ? `malformed ${key}` : "malformed field";
  }
  return undefined;
}
