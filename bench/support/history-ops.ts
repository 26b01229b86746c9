/**
 * One admin operation, run once to warm up and then 3 times in a fresh process on an existing database (started by bench/history.ts):
 * its times, and how far the process's peak RSS rose above where it stood before the first run.
 */
import { createLookup } from "../../src/admin/lookup.js";
import { parsePeriod } from "../../src/admin/period.js";
import { createReportExport } from "../../src/admin/report-export.js";
import { createReports } from "../../src/admin/reports.js";
import { openDatabase } from "../../src/db/database.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export type HistoryOp = "report-30d" | "report-7d" | "export-30d" | `find:${string}`;
export interface OpResult {
  ms: number[];
  rssRiseBytes: number;
  /** Export only: time to the first data row, rows written. */
  firstRowMs?: number[];
  rows?: number;
}

const [url, op, endIso, merchant] = process.argv.slice(2) as [string, HistoryOp, string, string | undefined];
/** The shop whose report, export and lookups run (bench/shared-history.ts names one among many). */
const merchantId = merchant === undefined ? DEFAULT_MERCHANT_ID : Number(merchant);
/** Periods end where the history does, so a history built earlier reads the same as a fresh one. */
const end = new Date(endIso);
const period = (text: string) => parsePeriod(text, end)!;
const database = await openDatabase(url);
const reports = createReports({ database: forMerchant(database, merchantId), currency: "USD", panelCurrency: "USD" });
const csv = createReportExport({ database: forMerchant(database, merchantId), panelCurrency: "USD" });
const lookup = createLookup({ database: forMerchant(database, merchantId) });
const result: OpResult = { ms: [], rssRiseBytes: 0 };
// Load Prisma's query compiler and warm its connection on a small period, as in a running bot, before the baseline.
await reports.report(period("today"));
for await (const _ of csv.reportCsv(period("today")));
await lookup.find("nobody");
const rssBefore = process.memoryUsage().rss;
// The first run warms the page cache: it is not timed (its memory counts).
for (let run = -1; run < 3; run++) {
  const started = performance.now();
  if (op === "report-30d" || op === "report-7d") await reports.report(period(op.slice(7)));
  else if (op === "export-30d") {
    let rows = -1;
    for await (const lines of csv.reportCsv(period("30d"))) {
      if (rows === 0 && run >= 0) (result.firstRowMs ??= []).push(performance.now() - started);
      for (let i = lines.indexOf("\n"); i !== -1; i = lines.indexOf("\n", i + 1)) rows++;
    }
    result.rows = rows;
  } else await lookup.find(op.slice(5));
  if (run >= 0) result.ms.push(performance.now() - started);
}
result.rssRiseBytes = Math.max(0, process.resourceUsage().maxRSS * 1024 - rssBefore);
await database.close();
process.send!(result, () => process.exit(0));
