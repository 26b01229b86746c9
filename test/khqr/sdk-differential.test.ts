import { BakongKHQR, IndividualInfo, khqrData, MerchantInfo } from "bakong-khqr";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeKhqr, khqrMd5, validateKhqr, type KhqrInput } from "../../src/khqr/index.js";
import { name, sdkCompatibleInput } from "./arbitraries.js";
import { VECTORS } from "./vectors.js";

/** The same input through NBC's SDK 1.0.20; `null` when the SDK refuses it. */
function sdkEncode(input: KhqrInput): { qr: string; md5: string } | null {
  const { account } = input;
  const optional = {
    currency: input.currency === "USD" ? khqrData.currency.usd : khqrData.currency.khr,
    amount: input.amountMinor === undefined ? undefined : input.currency === "USD" ? input.amountMinor / 100 : input.amountMinor,
    merchantCategoryCode: input.mcc,
    billNumber: input.billNumber,
    mobileNumber: input.mobileNumber,
    storeLabel: input.storeLabel,
    terminalLabel: input.terminalLabel,
    purposeOfTransaction: input.purpose,
    languagePreference: input.altLanguage?.languageCode,
    merchantNameAlternateLanguage: input.altLanguage?.merchantName,
    merchantCityAlternateLanguage: input.altLanguage?.merchantCity,
    expirationTimestamp: input.expiresAt,
  };
  const khqr = new BakongKHQR();
  const response =
    account.kind === "individual"
      ? khqr.generateIndividual(
          new IndividualInfo(account.bakongAccountId, input.merchantName, input.merchantCity, {
            ...optional,
            accountInformation: account.accountInformation,
            acquiringBank: account.acquiringBank,
          }),
        )
      : account.kind === "merchant"
        ? khqr.generateMerchant(
            new MerchantInfo(account.bakongAccountId, input.merchantName, input.merchantCity, account.merchantId, account.acquiringBank, optional),
          )
        : null;
  return response?.status.code === 0 ? response.data : null;
}

function ourEncode(input: KhqrInput): string | null {
  try {
    return encodeKhqr(input);
  } catch {
    return null;
  }
}

const RUNS = 1_500;

describe("differential against NBC's SDK bakong-khqr", () => {
  // The SDK stamps tag 99.00 with Date.now(): pin the clock to each input's creation time.
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => void vi.useRealTimers());

  it(`produces identical strings and md5s for ${RUNS} generated inputs`, () => {
    let dynamic = 0;
    fc.assert(
      fc.property(sdkCompatibleInput, (input) => {
        vi.setSystemTime(input.createdAt ?? 1_750_000_000_000);
        const sdk = sdkEncode(input);
        expect(sdk).not.toBeNull();
        expect(encodeKhqr(input)).toBe(sdk!.qr);
        expect(khqrMd5(sdk!.qr)).toBe(sdk!.md5);
        if (input.amountMinor !== undefined) dynamic++;
      }),
      { numRuns: RUNS },
    );
    expect(dynamic).toBeGreaterThan(RUNS / 4);
  });

  it("agrees with the SDK's verify on generated strings, with the clock at creation", () => {
    fc.assert(
      fc.property(sdkCompatibleInput, (input) => {
        const now = input.createdAt ?? 1_750_000_000_000;
        vi.setSystemTime(now);
        const qr = encodeKhqr(input);
        expect(BakongKHQR.verify(qr).isValid).toBe(true);
        expect(validateKhqr(qr, { now: () => now }).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const tooLong = (max: number) => name(max + 15, max + 1);
  const breakages: Record<string, fc.Arbitrary<Partial<KhqrInput>>> = {
    merchantName: tooLong(25).map((merchantName) => ({ merchantName })),
    merchantCity: tooLong(15).map((merchantCity) => ({ merchantCity })),
    billNumber: tooLong(25).map((billNumber) => ({ billNumber })),
    storeLabel: tooLong(25).map((storeLabel) => ({ storeLabel })),
    terminalLabel: tooLong(25).map((terminalLabel) => ({ terminalLabel })),
    purpose: tooLong(25).map((purpose) => ({ purpose })),
    mcc: fc.stringMatching(/^[0-9]{0,2}[A-Z][0-9]{0,2}$/).map((mcc) => ({ mcc })),
    account: fc.stringMatching(/^[a-z]{1,20}$/).map((id) => ({ account: { kind: "individual" as const, bakongAccountId: id } })),
  };

  it.each(Object.keys(breakages))("both refuse an invalid %s", (field) => {
    fc.assert(
      fc.property(sdkCompatibleInput, breakages[field]!, (input, change) => {
        const broken = { ...input, ...change };
        vi.setSystemTime(broken.createdAt ?? 1_750_000_000_000);
        expect(ourEncode(broken)).toBeNull();
        expect(sdkEncode(broken)).toBeNull();
      }),
      { numRuns: 50 },
    );
  });

  it.each(VECTORS)("verify and validateKhqr agree on $name", ({ qr }) => {
    vi.useRealTimers();
    expect(validateKhqr(qr).ok).toBe(BakongKHQR.verify(qr).isValid);
  });
});
