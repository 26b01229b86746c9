import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeKhqr, encodeKhqr, encodeRecords, KHQR_ERROR_CODES, KhqrError, validateKhqr,
  type KhqrDecodeResult, type KhqrValidation,
} from "../../src/khqr/index.js";
import { validInput } from "./arbitraries.js";
import { VECTORS } from "./vectors.js";

const numRuns = process.env.CHAOS ? 100_000 : 2_000;
const timeout = process.env.CHAOS ? 30 * 60_000 : undefined;

function expectTyped(result: KhqrDecodeResult | KhqrValidation): void {
  if (result.ok) {
    expect(Array.isArray(result.value.records)).toBe(true);
  } else {
    expect(result.error).toBeInstanceOf(KhqrError);
    expect(KHQR_ERROR_CODES).toContain(result.error.code);
  }
}

function expectTotal(qr: string): void {
  const decoded = decodeKhqr(qr);
  expectTyped(decoded);
  expectTyped(validateKhqr(qr));
  expectTyped(validateKhqr(qr, { now: () => 0 }));
  // Whatever parses re-encodes to exactly the same string.
  if (decoded.ok) expect(encodeRecords(decoded.value.records)).toBe(qr);
}

const TLV_ISH = [..."0123456789"].concat(["00", "01", "29", "30", "62", "63", "99", "6304", "@", "ក", "文", "😀", "\uD800"]);

/** Valid strings: the documented vectors and freshly encoded inputs. */
const validQr = fc.oneof(
  fc.constantFrom(...VECTORS.map((v) => v.qr)),
  validInput.map((input) => encodeKhqr(input)),
);

const mutated = fc.oneof(
  fc.tuple(validQr, fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([qr, at, s]) => {
    const i = at % (qr.length + 1);
    return qr.slice(0, i) + s + qr.slice(i + 1);
  }),
  fc.tuple(validQr, fc.nat(), fc.constantFrom(...TLV_ISH)).map(([qr, at, s]) => {
    const i = at % (qr.length + 1);
    return qr.slice(0, i) + s + qr.slice(i);
  }),
  fc.tuple(validQr, fc.nat(), fc.nat()).map(([qr, a, b]) => qr.slice(Math.min(a, b) % qr.length, Math.max(a, b) % (qr.length + 1))),
);

describe("decodeKhqr and validateKhqr never throw", { timeout }, () => {
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), expectTotal), { numRuns });
  });

  it("on strings built from TLV-like pieces", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TLV_ISH), { maxLength: 120 }).map((parts) => parts.join("")), expectTotal), {
      numRuns,
    });
  });

  it("on mutated valid strings", () => {
    fc.assert(fc.property(mutated, expectTotal), { numRuns });
  });

  it("on values that are not strings", () => {
    for (const value of [undefined, null, 42, {}, []]) expectTotal(value as unknown as string);
  });
});

describe("encodeKhqr output", { timeout }, () => {
  it("decodes back to its input and validates until it expires", () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const qr = encodeKhqr(input);
        const now = input.createdAt ?? 1_750_000_000_000;
        const result = validateKhqr(qr, { now: () => now });
        if (!result.ok) throw result.error;
        const { account, ...value } = result.value;
        const { account: inputAccount, mcc = "5999", ...fields } = input;
        expect(account).toMatchObject(inputAccount);
        expect(value).toMatchObject({ ...fields, mcc, pointOfInitiation: input.amountMinor === undefined ? "static" : "dynamic" });
        if (input.expiresAt !== undefined) {
          const late = validateKhqr(qr, { now: () => input.expiresAt! + 1 });
          expect(late.ok || late.error.code).toBe("EXPIRED");
        }
      }),
      { numRuns: Math.min(numRuns, 1_000) },
    );
  });

  it("fails validation when one ASCII byte before the CRC changes", () => {
    // CRC-16 catches every error burst up to 16 bits; a multi-byte character could slip through 1 in 65,536.
    fc.assert(
      fc.property(validQr, fc.nat(), (qr, at) => {
        const ascii = [...qr.slice(0, -4).matchAll(/[\x20-\x7e]/g)].map((m) => m.index);
        const i = ascii[at % ascii.length]!;
        const changed = qr.slice(0, i) + (qr[i] === "0" ? "1" : "0") + qr.slice(i + 1);
        expect(validateKhqr(changed, { now: () => 0 }).ok).toBe(false);
      }),
      { numRuns },
    );
  });
});
