import { openDatabase } from "./src/db/database.js";
import { createReports } from "./src/admin/reports.js";
import { createReportExport } from "./src/admin/report-export.js";
import { parsePeriod } from "./src/admin/period.js";
const database = await openDatabase(process.argv[2]!);
const reports = createReports({ database, currency: "USD", panelCurrency: "USD" });
for (const p of ["30d", "7d", "today"]) for (let k = 0; k < 2; k++) {
  const t = performance.now(); const r = await reports.report(parsePeriod(p)!);
  console.log(p, (performance.now() - t).toFixed(0), "ms", r.paid, process.memoryUsage().rss >> 20);
}
if (process.argv[3]) {
  const ex = createReportExport({ database, panelCurrency: "USD" });
  const t = performance.now(); let rows = 0; let first = 0;
  for await (const c of ex.reportCsv(parsePeriod("30d")!)) { if (!first && rows) first = performance.now() - t; rows += c.split("\n").length - 1; }
  const s = (performance.now() - t) / 1000;
  console.log("export", rows, "first", first.toFixed(0), "ms", (rows / s).toFixed(0), "/s", process.memoryUsage().rss >> 20);
}
await database.close();
