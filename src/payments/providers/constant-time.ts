import { timingSafeEqual } from "node:crypto";

/** Constant-time text comparison of UTF-8 bytes; texts of different length never match, and it never throws. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
