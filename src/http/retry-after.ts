/**
 * The longest wait a Retry-After is taken to ask for. A real rate limit asks for seconds or minutes; a
 * larger value (a typo, a date years ahead) would silently stop polling or delivery, so it is cut to this.
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * How long to wait, in milliseconds from `nowMs`, as a Retry-After value says: delta-seconds ("120") or an
 * HTTP date (IMF-fixdate, RFC 850 or asctime, all GMT). A number is seconds (Telegram's `retry_after`); of a
 * repeated header the first value counts. Undefined when absent or unreadable; a date in the past is 0;
 * anything beyond MAX_RETRY_AFTER_MS is clamped to it.
 */
export function retryAfterMs(value: string | number | readonly string[] | undefined, nowMs: number): number | undefined {
  const raw = typeof value === "object" ? value[0] : value;
  if (raw === undefined) return undefined;
  if (typeof raw === "number") return Number.isFinite(raw) && raw >= 0 ? clamp(raw * 1000) : undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return clamp(Number(text) * 1000);
  const at = text.endsWith(" GMT") ? Date.parse(text) : ASCTIME.test(text) ? Date.parse(`${text} GMT`) : Number.NaN;
  return Number.isNaN(at) ? undefined : clamp(Math.max(0, at - nowMs));
}

function clamp(ms: number): number {
  return Math.min(Math.round(ms), MAX_RETRY_AFTER_MS);
}
