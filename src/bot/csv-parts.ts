import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";

export interface CsvPartLimits {
  /** A CSV bigger than this goes gzip-compressed. */
  compressFromBytes: number;
  /** No part file passes this (Telegram takes documents up to 50 MB from a bot); each part repeats the header. */
  partBytes: number;
}

export const TELEGRAM_CSV_LIMITS: CsvPartLimits = { compressFromBytes: 1 << 20, partBytes: 45 << 20 };

export interface CsvPart {
  path: string;
  filename: string;
}

/** A chunk's size, room kept for what gzip has taken in but not written out yet (at most its window and block). */
const GZIP_SLACK = 256 << 10;

/**
 * Writes a streamed CSV (chunks of whole lines, the header first) to files in `dir`, holding at most
 * `compressFromBytes` in memory: one plain file when small, else gzip parts, each under `partBytes`.
 * `onRows` is told the running count of data rows after each chunk.
 */
export async function writeCsvParts(chunks: AsyncIterable<string>, dir: string, name: string, limits: CsvPartLimits, onRows: (rows: number) => void): Promise<{ parts: CsvPart[]; rows: number }> {
  let header: Buffer | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let rows = 0;
  const paths: string[] = [];
  let part: { out: Writable; file: Writable; bytes: () => number } | undefined;

  const nextPath = () => {
    paths.push(join(dir, String(paths.length + 1)));
    return paths.at(-1)!;
  };
  async function write(target: Writable, data: Buffer): Promise<void> {
    if (!target.write(data)) await once(target, "drain");
  }
  async function closePart(): Promise<void> {
    if (!part) return;
    part.out.end();
    await finished(part.file);
    part = undefined;
  }
  async function openPart(): Promise<void> {
    const path = nextPath();
    const file = createWriteStream(path);
    const gzip = createGzip();
    let written = 0;
    gzip.on("data", (b: Buffer) => (written += b.length));
    gzip.pipe(file);
    part = { out: gzip, file, bytes: () => written };
    await write(gzip, header!);
  }

  for await (const chunk of chunks) {
    const data = Buffer.from(chunk, "utf8");
    if (!header) {
      header = data;
      continue;
    }
    rows += data.reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0);
    if (part === undefined && pendingBytes + data.length <= limits.compressFromBytes) {
      pending.push(data);
      pendingBytes += data.length;
    } else {
      for (const d of [...pending, data]) {
        if (part && part.bytes() + d.length + GZIP_SLACK > limits.partBytes) await closePart();
        if (!part) await openPart();
        await write(part!.out, d);
      }
      pending = [];
      pendingBytes = 0;
    }
    onRows(rows);
  }
  await closePart();
  if (paths.length === 0) {
    const path = nextPath();
    const file = createWriteStream(path);
    for (const d of [header ?? Buffer.alloc(0), ...pending]) await write(file, d);
    file.end();
    await finished(file);
    return { parts: [{ path, filename: `${name}.csv` }], rows };
  }
  return { parts: paths.map((path, i) => ({ path, filename: `${name}${paths.length > 1 ? `-part${i + 1}` : ""}.csv.gz` })), rows };
}
