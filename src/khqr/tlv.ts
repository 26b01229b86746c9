import { KhqrError } from "./errors.js";

/** One `ID(2) LEN(2) VALUE` record. For a template, `children` is the parsed `value`. */
export interface KhqrRecord {
  readonly tag: string;
  readonly value: string;
  readonly children?: readonly KhqrRecord[];
}

const ID_AND_LENGTH = /^\d{4}$/;
const MAX_VALUE_LENGTH = 99;

/** EMVCo templates: merchant account information (26-51), additional data (62), language (64), unreserved (80-99). */
function isTemplateTag(tag: string): boolean {
  const id = Number(tag);
  return (id >= 26 && id <= 51) || id === 62 || id === 64 || id >= 80;
}

/** Splits `text` into flat records, or returns the offset where it stops being TLV. */
function parseFlat(text: string): KhqrRecord[] | { failedAt: number } {
  const records: KhqrRecord[] = [];
  let at = 0;
  while (at < text.length) {
    const head = text.slice(at, at + 4);
    if (!ID_AND_LENGTH.test(head)) return { failedAt: at };
    const end = at + 4 + Number(head.slice(2));
    if (end > text.length) return { failedAt: at };
    records.push({ tag: head.slice(0, 2), value: text.slice(at + 4, end) });
    at = end;
  }
  return records;
}

/**
 * Parses a KHQR payload. Template values that are themselves valid TLV get `children`;
 * the others stay plain values, so every record, known or not, is kept as it came.
 */
export function parseRecords(text: string): KhqrRecord[] | { failedAt: number } {
  const flat = parseFlat(text);
  if (!Array.isArray(flat)) return flat;
  return flat.map((record) => {
    if (!isTemplateTag(record.tag)) return record;
    const children = parseFlat(record.value);
    return Array.isArray(children) ? { ...record, children } : record;
  });
}

/** `LEN` is the value's JavaScript `String.length`, as NBC's SDK counts it. */
function encodeRecord(tag: string, value: string): string {
  if (!/^\d{2}$/.test(tag)) throw new KhqrError("MALFORMED", "record id must be two digits", tag);
  if (value.length > MAX_VALUE_LENGTH) {
    throw new KhqrError("INVALID_LENGTH", `value longer than ${MAX_VALUE_LENGTH}`, tag);
  }
  return tag + String(value.length).padStart(2, "0") + value;
}

/** Inverse of `parseRecords`: a template's `children`, when present, win over its `value`. */
export function encodeRecords(records: readonly KhqrRecord[]): string {
  let out = "";
  for (const record of records) {
    out += encodeRecord(record.tag, record.children ? encodeRecords(record.children) : record.value);
  }
  return out;
}

export function leaf(tag: string, value: string): KhqrRecord {
  return { tag, value };
}

export function template(tag: string, children: readonly KhqrRecord[]): KhqrRecord {
  return { tag, value: encodeRecords(children), children };
}
