import type { ReportData } from "../admin/admin-service.js";
import { dateTime, money } from "../bot/format.js";

/** What `report` prints: the totals an admin's /report shows, as plain lines. */
export function reportText(r: ReportData): string {
  const m = (minor: number) => money(minor, r.currency);
  return [
    `report ${r.period.label} (${dateTime(r.period.from)} to ${dateTime(r.period.to)}, ${r.timeZone})`,
    `paid:     ${r.paid.count} payment(s), ${m(r.paid.sumMinor)}`,
    `refunded: ${r.refunds.count}, ${m(r.refunds.sumMinor)}`,
    `net:      ${m(r.netMinor)}`,
    ...(r.bonuses.count === 0 ? [] : [`bonuses:  ${r.bonuses.count}, ${money(r.bonuses.sumMinor, r.bonuses.currency)}`]),
    "",
    "paid by provider:",
    ...(r.byProvider.length === 0 ? ["  none"] : r.byProvider.map((row) => `  ${row.provider}: ${row.count}, ${m(row.sumMinor)}`)),
    ...r.otherCurrencies.map((row) => `  also paid in ${row.currency} (held, not counted above): ${row.count}, ${money(row.sumMinor, row.currency)}`),
    "",
    "top-ups created, by state:",
    ...(r.topUpsByStatus.length === 0 ? ["  none"] : r.topUpsByStatus.map((row) => `  ${row.status}: ${row.count}`)),
  ].join("\n");
}
