import { describe, expect, it } from "vitest";
import { crc16, decodeKhqr, encodeRecords, KhqrError, khqrMd5, parseRecords } from "../../src/khqr/index.js";

describe("crc16 (CRC-16/CCITT-FALSE)", () => {
  it("has the check value 29B1", () => expect(crc16("123456789")).toBe("29B1"));
  it("pads to 4 digits and runs over UTF-8 bytes", () => {
    expect(crc16("")).toBe("FFFF");
    expect(crc16("A1")).toBe("0580");
    expect(crc16("ក")).toBe("F1F1"); // bytes E1 9E 80
  });
});

describe("parseRecords / encodeRecords", () => {
  it("counts LEN in UTF-16 code units, as NBC's SDK does", () => {
    expect(encodeRecords([{ tag: "59", value: "文山" }])).toBe("5902文山");
    expect(encodeRecords([{ tag: "59", value: "😀" }])).toBe("5902😀");
    expect(parseRecords("5902😀6002ab")).toEqual([{ tag: "59", value: "😀" }, { tag: "60", value: "ab" }]);
  });

  it("parses template values into children and keeps plain values, unknown tags included", () => {
    const text = "29100006a@bank61021262070103ABC8005hello";
    const records = parseRecords(text);
    expect(records).toEqual([
      { tag: "29", value: "0006a@bank", children: [{ tag: "00", value: "a@bank" }] },
      { tag: "61", value: "12" },
      { tag: "62", value: "0103ABC", children: [{ tag: "01", value: "ABC" }] },
      { tag: "80", value: "hello" },
    ]);
    expect(Array.isArray(records) && encodeRecords(records)).toBe(text);
  });

  it("prefers children over a template's value when encoding", () => {
    expect(encodeRecords([{ tag: "62", value: "stale", children: [{ tag: "01", value: "A1" }] }])).toBe("62060102A1");
  });

  it("reports where the text stops being ID-LEN-VALUE", () => {
    expect(parseRecords("000201010")).toEqual({ failedAt: 6 });
    expect(parseRecords("0002010103")).toEqual({ failedAt: 6 });
    expect(parseRecords("00AB01")).toEqual({ failedAt: 0 });
  });

  it("refuses values longer than 99 and ids that are not two digits", () => {
    expect(() => encodeRecords([{ tag: "59", value: "x".repeat(100) }])).toThrow(KhqrError);
    expect(() => encodeRecords([{ tag: "5", value: "x" }])).toThrow(KhqrError);
  });
});

describe("decodeKhqr", () => {
  it.each(["", "hello", "00020", "0002010102"])("rejects %j as MALFORMED", (text) => {
    const result = decodeKhqr(text);
    expect(result.ok || result.error.code).toBe("MALFORMED");
  });

  it("accepts any well-formed record list; validateKhqr judges the content", () => {
    expect(decodeKhqr("000201").ok).toBe(true);
  });
});

describe("khqrMd5", () => {
  it("hashes the UTF-8 bytes, lower-case hex", () => {
    expect(khqrMd5("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(khqrMd5("ក")).toMatch(/^[0-9a-f]{32}$/);
  });
});
