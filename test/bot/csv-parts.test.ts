import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { writeCsvParts } from "../../src/bot/csv-parts.js";

const HEADER = "reference,amount\n";

async function* csv(pages: number, rowsPerPage: number): AsyncGenerator<string> {
  yield HEADER;
  for (let p = 0; p < pages; p++) yield Array.from({ length: rowsPerPage }, (_, i) => `${p}-${i},${randomBytes(24).toString("hex")}`).join("\n") + "\n";
}

describe("the report CSV as Telegram documents", () => {
  const dirs: string[] = [];
  const dir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), "khqr-csv-")));
    return dirs.at(-1)!;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("sends a small CSV as one plain file", async () => {
    const seen: number[] = [];
    const { parts, rows } = await writeCsvParts(csv(2, 3), dir(), "report-x", { compressFromBytes: 1 << 20, partBytes: 1 << 20 }, (n) => seen.push(n));
    expect(rows).toBe(6);
    expect(seen).toEqual([3, 6]);
    expect(parts.map((p) => p.filename)).toEqual(["report-x.csv"]);
    expect(readFileSync(parts[0]!.path, "utf8").split("\n")).toHaveLength(1 + 6 + 1);
  });

  it("gzips a large one and splits it into parts under the limit, each with the header, losing and repeating no row", async () => {
    const limits = { compressFromBytes: 100_000, partBytes: 400_000 };
    const { parts, rows } = await writeCsvParts(csv(60, 1_000), dir(), "report-y", limits, () => undefined);
    expect(rows).toBe(60_000);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.filename)).toEqual(parts.map((_, i) => `report-y-part${i + 1}.csv.gz`));
    const lines: string[] = [];
    for (const part of parts) {
      expect(statSync(part.path).size).toBeLessThanOrEqual(limits.partBytes);
      const text = gunzipSync(readFileSync(part.path)).toString("utf8");
      expect(text.startsWith(HEADER)).toBe(true);
      lines.push(...text.slice(HEADER.length).trimEnd().split("\n"));
    }
    expect(lines).toHaveLength(60_000);
    expect(new Set(lines.map((l) => l.split(",")[0])).size).toBe(60_000);
  });
});
