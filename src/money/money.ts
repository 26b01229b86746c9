/** Money as integer minor units: USD cents, whole riel. Never floats in state. */
export type Currency = "USD" | "KHR";
export const CURRENCIES: readonly Currency[] = ["USD", "KHR"];

const DIGITS: Record<Currency, number> = { USD: 2, KHR: 0 };
/** Far above any top-up; keeps every amount a safe integer. */
const MAX_MINOR = 1e13;

export type AmountError = "empty" | "format" | "negative" | "decimals" | "too_large";
export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: AmountError };

const KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";

export function minorDigits(currency: Currency): number {
  return DIGITS[currency];
}

/**
 * Parses an amount a person typed: "10", "10.5", "10.50", "40,000" (thousands separators),
 * Khmer digits. Rejects "10.555", "-1", "1e3" and empty input with a reason.
 */
export function parseAmount(input: string, currency: Currency): ParsedAmount {
  const text = [...input.trim()]
    .map((ch) => {
      const k = KHMER_DIGITS.indexOf(ch);
      return k >= 0 ? String(k) : ch;
    })
    .join("");
  if (text === "") return { ok: false, error: "empty" };
  if (/^-/.test(text)) return { ok: false, error: "negative" };
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, error: "format" };
  const whole = match[1]!.replaceAll(",", "");
  const fraction = match[2] ?? "";
  const digits = DIGITS[currency];
  if (fraction.length > digits && /[1-9]/.test(fraction.slice(digits))) return { ok: false, error: "decimals" };
  if (whole.length > 13) return { ok: false, error: "too_large" };
  const minor = Number(whole) * 10 ** digits + Number(fraction.slice(0, digits).padEnd(digits, "0") || "0");
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) return { ok: false, error: "too_large" };
  return { ok: true, minor };
}

/** The plain decimal string a provider receives and hashes: "10.00", "0.50", "40000". */
export function decimalString(minor: number, currency: Currency): string {
  assertMinor(minor);
  const digits = DIGITS[currency];
  if (digits === 0) return String(minor);
  const scale = 10 ** digits;
  return `${Math.floor(minor / scale)}.${String(minor % scale).padStart(digits, "0")}`;
}

/** For people, the value apart from the currency: { value: "1,250.50", currency: "USD" }, { value: "40,000", currency: "KHR" }. */
export function formatAmountParts(minor: number, currency: Currency): { value: string; currency: Currency } {
  const [whole, fraction] = decimalString(minor, currency).split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return { value: fraction === undefined ? grouped : `${grouped}.${fraction}`, currency };
}

/** For people: "10.00 USD", "1,250.50 USD", "40,000 KHR". */
export function formatMoney(minor: number, currency: Currency): string {
  return `${formatAmountParts(minor, currency).value} ${currency}`;
}

/** Parses a provider's decimal amount ("10.00", 10, "10.5") into minor units; null when it is not exact. */
export function minorFromDecimal(value: string | number, currency: Currency): number | null {
  const text = typeof value === "number" ? numberToPlainString(value) : value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const parsed = parseAmount(text, currency);
  return parsed.ok ? parsed.minor : null;
}

/** Riel to US cents at `khrPerUsd` riel per dollar, rounded down to the cent. */
export function khrToUsdCents(riel: number, khrPerUsd: number): number {
  assertMinor(riel);
  return Math.floor((riel * 100) / khrPerUsd);
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "invalid";
  // Providers send JSON numbers such as 1.1 or 100; toFixed(6) avoids exponent notation and binary noise.
  return n.toFixed(6).replace(/\.?0+$/, "");
}

function assertMinor(minor: number): void {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not an amount in minor units: ${minor}`);
}
