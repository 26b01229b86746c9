import type { CountAndSums, PlatformReport } from "../admin/platform-report.js";
import { dateTime, money } from "../bot/format.js";

const sums = (c: CountAndSums) => (c.sums.length === 0 ? "-" : c.sums.map((s) => money(s.sumMinor, s.currency)).join(" + "));

const HEADER = ["shop", "state", "bot", "opened", "paid", "paid sums", "credited", "held", "refunded", "refunded sums", "pending", "last payment"];
/** Counts are right-aligned, names and sums left. */
const NUMERIC = new Set(["opened", "paid", "credited", "held", "refunded", "pending"]);

/** What `report --all` prints: one row per shop and a total row, in aligned columns. */
export function platformReportTable(r: PlatformReport): string {
  const row = (name: string, state: string, bot: string, f: PlatformReport["total"]) => [
    name, state, bot, String(f.opened), String(f.paid.count), sums(f.paid), String(f.credited), String(f.held),
    String(f.refunded.count), sums(f.refunded), String(f.creditsPending), f.lastPaymentAt === null ? "never" : dateTime(f.lastPaymentAt),
  ];
  const rows = [
    HEADER,
    ...r.shops.map((s) => row(s.name, s.state, s.bot === null ? "-" : `@${s.bot}`, s)),
    row(`total (${r.shops.length})`, "", "", r.total),
  ];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (NUMERIC.has(HEADER[i]!) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [`every shop, ${r.period.label} (${dateTime(r.period.from)} to ${dateTime(r.period.to)}, ${r.timeZone})`, ...rows.map(line)].join("\n");
}
