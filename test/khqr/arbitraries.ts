import fc from "fast-check";
import type { KhqrAccount, KhqrInput } from "../../src/khqr/index.js";

const LATIN = [..." ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-&'#/_()"];
// Consonants, independent and dependent vowels, signs, the riel sign: String.length 1 each.
const KHMER = [..."កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអឥឦឧឩឪឫឬឭឮឯឰឱឲឳាិីឹឺុូួើឿៀេែៃោៅំះៈ៉៊់៌៍៎៏័្៛ "];

const LATIN_CHAR = fc.constantFrom(...LATIN);
const KHMER_CHAR = fc.constantFrom(...KHMER);

/** Lengths drawn uniformly, so limits like 25 are hit as often as short values. */
const text = (char: fc.Arbitrary<string>, maxLength: number, minLength = 1) =>
  fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.array(char, { minLength: maxLength, maxLength }))
    .map(([length, chars]) => chars.slice(0, length).join(""));

/** Latin or Khmer text of minLength..maxLength UTF-16 code units, the way KHQR counts. */
export const name = (maxLength: number, minLength = 1) =>
  fc.oneof(text(LATIN_CHAR, maxLength, minLength), text(KHMER_CHAR, maxLength, minLength));

const bakongId = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/), fc.constantFrom("aclb", "abaa", "wing", "devb", "nbcq"))
  .map(([user, bank]) => `${user}@${bank}`);

const account: fc.Arbitrary<Exclude<KhqrAccount, { kind: "payway" }>> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("individual" as const),
      bakongAccountId: bakongId,
      accountInformation: fc.stringMatching(/^[0-9]{1,32}$/),
      acquiringBank: text(LATIN_CHAR, 32),
    },
    { requiredKeys: ["kind", "bakongAccountId"] },
  ),
  fc.record({
    kind: fc.constant("merchant" as const),
    bakongAccountId: bakongId,
    merchantId: fc.stringMatching(/^[0-9A-Z]{1,32}$/),
    acquiringBank: text(LATIN_CHAR, 32),
  }),
);

const amountMinor = (currency: KhqrInput["currency"]) =>
  currency === "USD"
    ? fc.oneof(fc.constantFrom(1, 100, 110, 999, 1000, 99_999_999, 999_999_999_999), fc.integer({ min: 1, max: 999_999_999_999 }))
    : fc.oneof(fc.constantFrom(1, 100, 40_000, 1_000_000_000_000), fc.integer({ min: 1, max: 9_999_999_999_999 }));

const TEN_MINUTES = 600_000;

const inputIn = (currency: KhqrInput["currency"]) =>
  fc.record(
    {
      account,
      merchantName: name(25),
      merchantCity: name(15),
      currency: fc.constant(currency),
      amountMinor: amountMinor(currency),
      mcc: fc.stringMatching(/^[0-9]{4}$/),
      billNumber: name(25),
      mobileNumber: fc.stringMatching(/^[0-9]{1,25}$/),
      storeLabel: name(25),
      terminalLabel: name(25),
      purpose: name(25),
      altLanguage: fc.record(
        { languageCode: fc.constantFrom("km", "KM", "zh", "en"), merchantName: name(25), merchantCity: name(15) },
        { requiredKeys: ["languageCode", "merchantName"] },
      ),
      createdAt: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
      lifetime: fc.integer({ min: 0, max: TEN_MINUTES }),
    },
    { requiredKeys: ["account", "merchantName", "merchantCity", "currency", "createdAt", "lifetime"] },
  );

/** Inputs NBC's SDK can also express (tags 29/30, no PayWay), within every length limit. */
export const sdkCompatibleInput: fc.Arbitrary<KhqrInput> = fc
  .oneof(inputIn("USD"), inputIn("KHR"))
  // The SDK writes tag 99 only for a dynamic QR.
  .map(({ createdAt, lifetime, ...input }) =>
    input.amountMinor === undefined ? input : { ...input, createdAt, expiresAt: createdAt + lifetime },
  )
  .filter((input) => additionalDataLength(input) <= 99);

/** Any valid input, PayWay included. */
export const validInput: fc.Arbitrary<KhqrInput> = fc.oneof(
  sdkCompatibleInput,
  fc
    .tuple(sdkCompatibleInput, fc.stringMatching(/^[0-9A-Za-z@]{1,40}$/), fc.stringMatching(/^[0-9]{1,15}$/))
    .map(([input, paywayData, merchantId]): KhqrInput => ({
      ...input,
      account: { kind: "payway", bakongAccountId: "abaakhppxxx@abaa", merchantId, acquiringBank: "ABA Bank", paywayData },
    }))
    .filter((input) => additionalDataLength(input) <= 99),
);

function additionalDataLength(input: KhqrInput): number {
  const payway = input.account.kind === "payway" ? input.account.paywayData : undefined;
  return [input.billNumber, input.mobileNumber, input.storeLabel, input.terminalLabel, input.purpose, payway]
    .filter((value) => value !== undefined)
    .reduce((sum, value) => sum + 4 + value.length, 0);
}
