import jsqr from "jsqr";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { formatCardAmount, renderKhqrCard, renderPlainQr } from "../../src/payments/card/index.js";
import { encodeKhqr, type KhqrCurrency } from "../../src/khqr/index.js";

// jsqr is CommonJS whose exports are the function itself, with itself again as `default` (which its types describe).
const jsQR = jsqr.default;

function scan(png: Buffer): { width: number; height: number; text: string | undefined } {
  const { width, height, data } = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height, { inversionAttempts: "dontInvert" });
  return { width, height, text: code ? Buffer.from(code.binaryData).toString("utf8") : undefined };
}

const LATIN_25 = "SOKHA COFFEE & TEA HOUSE2";
const KHMER_25 = "ហាងកាហ្វេ សុខា និងតែ ថ្មី";
const createdAt = 1_763_630_000_000;

it("uses 25-character names", () => expect([LATIN_25.length, KHMER_25.length]).toEqual([25, 25]));

const cases = [
  { currency: "USD", amountMinor: 1_000, merchantName: "Sokha" },
  { currency: "KHR", amountMinor: 40_000, merchantName: "Sokha" },
  { currency: "USD", amountMinor: 99_999_999, merchantName: LATIN_25 },
  { currency: "KHR", amountMinor: 1_000_000_000_000, merchantName: LATIN_25 },
  { currency: "USD", amountMinor: 1, merchantName: KHMER_25 },
  { currency: "KHR", amountMinor: 100, merchantName: KHMER_25 },
] as const satisfies readonly { currency: KhqrCurrency; amountMinor: number; merchantName: string }[];

describe.each(cases)("$currency $amountMinor for $merchantName", ({ currency, amountMinor, merchantName }) => {
  const qr = encodeKhqr({
    account: { kind: "individual", bakongAccountId: "sokha_chan@aclb", acquiringBank: "ACLEDA Bank" },
    merchantName,
    merchantCity: "Phnom Penh",
    currency,
    amountMinor,
    billNumber: "TOPUP-20251120-000123",
    ...(merchantName === KHMER_25 && { altLanguage: { languageCode: "km", merchantName, merchantCity: "ភ្នំពេញ" } }),
    createdAt,
    expiresAt: createdAt + 600_000,
  });

  it("plain QR scans back to the exact string", async () => {
    expect(scan(await renderPlainQr(qr)).text).toBe(qr);
  });

  it("KHQR card scans back to the exact string", async () => {
    const card = scan(await renderKhqrCard({ qr, merchantName, amountMinor, currency }));
    expect(card).toEqual({ width: 480, height: 696, text: qr });
  });
});

describe("renderKhqrCard", () => {
  it("survives markup, control characters and lone surrogates in the name", async () => {
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "a@aclb" },
      merchantName: "A&B",
      merchantCity: "Phnom Penh",
      currency: "USD",
    });
    const png = await renderKhqrCard({ qr, merchantName: `<b>"A&B"</b>\u0001\uD800 ហាង`, amountMinor: 500, currency: "USD" });
    expect(scan(png).text).toBe(qr);
  });
});

describe("formatCardAmount", () => {
  it.each([
    [1_000, "USD", "10.00"],
    [1, "USD", "0.01"],
    [123_456, "USD", "1,234.56"],
    [99_999_999, "USD", "999,999.99"],
    [40_000, "KHR", "40,000"],
    [100, "KHR", "100"],
    [1_000_000_000_000, "KHR", "1,000,000,000,000"],
  ] as const)("%i %s -> %s", (minor, currency, value) => {
    expect(formatCardAmount(minor, currency)).toEqual({ value, currency });
  });
});
