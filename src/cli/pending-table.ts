import type { PendingOverview } from "../admin/admin-service.js";
import { formatMoney, type Currency } from "../money/money.js";

const HEADER = ["REFERENCE", "LOGIN", "AMOUNT", "STATUS / REASON"];

/** Open top-ups, then held credits, then orphan payments, one per line in aligned columns, and a count. */
export function pendingTable({ openTopUps, heldCredits, orphanPayments, totals }: PendingOverview): string {
  const rows = [
    ...openTopUps.map((t) => [t.reference, t.panelLogin, formatMoney(t.amountMinor, t.currency as Currency), `PENDING via ${t.provider} until ${t.expiresAt.toISOString()}`]),
    ...heldCredits.map((c) => [c.reference ?? c.memo, c.panelLogin, formatMoney(c.amountMinor, c.currency as Currency), `HELD: ${oneLine(c.lastError ?? "held for review")}`]),
    ...orphanPayments.map((p) => [p.reference ?? "-", "-", formatMoney(p.amountMinor, p.currency as Currency), `ORPHAN via ${p.provider}, txn ${p.providerTxnId}: no top-up of ours`]),
  ];
  const shown = (total: number, listed: number) => (total > listed ? `${total} (first ${listed} listed)` : String(total));
  const counts = `${shown(totals.openTopUps, openTopUps.length)} open top-up(s), ${shown(totals.heldCredits, heldCredits.length)} held credit(s), ${shown(totals.orphanPayments, orphanPayments.length)} orphan payment(s)`;
  if (rows.length === 0) return `nothing pending: ${counts}`;
  const widths = HEADER.map((_, i) => Math.max(...[HEADER, ...rows].map((row) => row[i]!.length)));
  const format = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  return [format(HEADER), ...rows.map(format), "", counts].join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
