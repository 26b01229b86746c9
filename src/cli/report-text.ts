import type { ReportData } from "../admin/admin-service.js";
import { dateTime, money } from "../bot/format.js";

/** What `report` prints: the totals an admin's /report shows, as plain lines. */
export function reportText(r: ReportData): string {
  const m = (minor: number) => money(minor, r.currency);
  return [
    `report ${r.period.label} (${dateTime(r.period.from)} to ${dateTime(r.period.to)}, Asia/Phnom_Penh)`,
    `paid:     ${r.paid.count} top-up(s), ${m(r.paid.sumMinor)}`,
    `refunded: ${r.refunds.count}, ${m(r.refunds.sumMinor)}`,
    `net:      ${m(r.netMinor)}`,
    "",
    "by provider and status:",
    ...(r.byProviderAndStatus.length === 0 ? ["  none"] : r.byProviderAndStatus.map((row) => `  ${row.provider} ${row.status}: ${row.count}, ${m(row.sumMinor)}`)),
  ].join("\n");
}
