import { createHash } from "node:crypto";

/** Lower-case hex MD5 of the QR string's UTF-8 bytes (the key Bakong looks payments up by). */
export function khqrMd5(qr: string): string {
  return createHash("md5").update(qr, "utf8").digest("hex");
}
