import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeSign, phpString, toUrlParams, verifySign } from "../../src/payments/providers/kess/kess-signing.js";

/**
 * The seed's PHP, rule by rule:
 *   array_filter(!is_null) → ksort → "k=v&" for k != "sign", v !== "", !is_array, !is_object → trim "&"
 *   → . "&key=" . $key → md5() or hash_hmac("sha256", …, $key), both lower-case hex.
 */
const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");
const hmac = (s: string, key: string) => createHmac("sha256", key).update(s, "utf8").digest("hex");

describe("toUrlParams", () => {
  it.each([
    ["drops nulls", { a: "1", b: null }, "a=1"],
    ["skips empty strings", { a: "", b: "2" }, "b=2"],
    ["skips arrays", { a: [1, 2], b: "2" }, "b=2"],
    ["skips objects", { a: { x: 1 }, b: "2" }, "b=2"],
    ["skips an empty array too (is_array)", { a: [], b: "2" }, "b=2"],
    ["skips sign", { sign: "abc", b: "2" }, "b=2"],
    ["sorts keys by byte (ksort)", { b: "2", a: "1", B: "3", _c: "4" }, "B=3&_c=4&a=1&b=2"],
    // UTF-16 order would put the emoji (D83D…) first; its UTF-8 bytes (F0…) sort after EF BD 9E.
    ["sorts by UTF-8 bytes, not UTF-16 units", { "\u{1F600}": "y", "\uFF5E": "x" }, "\uFF5E=x&\u{1F600}=y"],
    ["true is 1, false is an empty value that is still joined", { t: true, f: false }, "f=&t=1"],
    ["numbers as PHP prints them", { i: 10, f: 10.5, z: 0, g: 0.1 + 0.2, e: 0.00001 }, "e=1.0E-5&f=10.5&g=0.3&i=10&z=0"],
    ["keeps amount strings exactly", { total_amount: "12.50", other: "5.00" }, "other=5.00&total_amount=12.50"],
    ["trims every & at both ends, as trim($buff, '&')", { a: "&x", b: "y&" }, "a=&x&b=y"],
    ["nothing left is an empty string", { sign: "x", a: null, b: "" }, ""],
  ])("%s", (_name, params, expected) => {
    expect(toUrlParams(params as Record<string, unknown>)).toBe(expected);
  });
});

describe("phpString", () => {
  it.each([
    [true, "1"], [false, ""], [0, "0"], [1050, "1050"], [10.5, "10.5"], [12.5, "12.5"], [0.1, "0.1"],
    [1 / 3, "0.33333333333333"], [1.5e-7, "1.5E-7"], [1.5e20, "1.5E+20"], ["5.00", "5.00"],
  ] as const)("%s → %s", (value, expected) => {
    expect(phpString(value)).toBe(expected);
  });
});

describe("makeSign", () => {
  const request = {
    service: "webpay.acquire.nativePay",
    sign_type: "MD5",
    sign: "{SIGNATURE}",
    seller_code: "CU2501-101139033689723677",
    out_trade_no: "26010112345678",
    body: "Top-up alice",
    total_amount: "12.50",
    currency: "USD",
    notify_url: null,
    remark: "",
    detail: [],
    meta: { a: 1 },
    expires_in: 600,
  };
  const joined =
    "body=Top-up alice&currency=USD&expires_in=600&out_trade_no=26010112345678&seller_code=CU2501-101139033689723677" +
    "&service=webpay.acquire.nativePay&sign_type=MD5&total_amount=12.50";

  it("MD5: md5(joined + '&key=' + secret), lower-case hex", () => {
    const sign = makeSign(request, "S3CRET");
    expect(sign).toBe(md5(`${joined}&key=S3CRET`));
    expect(sign).toMatch(/^[0-9a-f]{32}$/);
  });

  it("HMAC-SHA256: hash_hmac('sha256', joined + '&key=' + secret, secret)", () => {
    const params = { ...request, sign_type: "HMAC-SHA256" };
    const text = joined.replace("sign_type=MD5", "sign_type=HMAC-SHA256");
    expect(makeSign(params, "S3CRET")).toBe(hmac(`${text}&key=S3CRET`, "S3CRET"));
  });

  it("signs a 5.00 queryOrder exactly as sent", () => {
    const params = { service: "webpay.acquire.queryOrder", sign_type: "MD5", out_trade_no: "TEST-1234567891", total_amount: "5.00" };
    expect(makeSign(params, "k")).toBe(md5("out_trade_no=TEST-1234567891&service=webpay.acquire.queryOrder&sign_type=MD5&total_amount=5.00&key=k"));
  });

  it("the existing sign does not change the result", () => {
    expect(makeSign({ ...request, sign: "other" }, "S3CRET")).toBe(makeSign(request, "S3CRET"));
  });

  it("refuses a sign_type PHP would answer with the unhashed string (secret included)", () => {
    expect(() => makeSign({ ...request, sign_type: "SHA1" }, "S3CRET")).toThrow(/sign_type/);
    expect(() => makeSign({ service: "x" }, "S3CRET")).toThrow(/sign_type/);
  });
});

describe("verifySign", () => {
  const fields = { out_trade_no: "26010112345678", total_amount: 12.5, status: "SUCCESS", sign_type: "MD5" };
  const sign = md5("out_trade_no=26010112345678&sign_type=MD5&status=SUCCESS&total_amount=12.5&key=K");

  it("accepts the right sign, in either letter case", () => {
    expect(verifySign({ ...fields, sign }, "K")).toBe(true);
    expect(verifySign({ ...fields, sign: sign.toUpperCase() }, "K")).toBe(true);
  });

  it.each([
    ["a wrong key", { ...fields, sign }, "other"],
    ["an altered amount", { ...fields, total_amount: 125, sign }, "K"],
    ["a truncated sign", { ...fields, sign: sign.slice(1) }, "K"],
    ["no sign", { ...fields }, "K"],
    ["a non-string sign", { ...fields, sign: 1 }, "K"],
    ["an unknown sign_type", { ...fields, sign_type: "SHA1", sign }, "K"],
  ])("rejects %s", (_name, params, key) => {
    expect(verifySign(params, key)).toBe(false);
  });
});
