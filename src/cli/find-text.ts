import type { FindResult } from "../admin/admin-service.js";
import { customerLabel, dateTime, money } from "../bot/format.js";

/** What `find` prints: a top-up with its timeline, or a customer with their latest top-ups. */
export function findText(found: FindResult, query: string, panelCurrency: string): string {
  switch (found.kind) {
    case "none":
      return `nothing found for "${query}" (a reference, @username, Telegram id or panel login)`;
    case "topup": {
      const { topUp, user, timeline } = found;
      return [
        `top-up ${topUp.reference}: ${topUp.status}, ${money(topUp.amountMinor, topUp.currency)} via ${topUp.provider} for panel login ${topUp.panelLogin}, customer ${customerLabel(user)}`,
        "",
        "timeline (Asia/Phnom_Penh):",
        ...timeline.map((e) => `  ${dateTime(e.at)}  ${e.event}${e.detail ? `  ${e.detail}` : ""}`),
      ].join("\n");
    }
    case "user": {
      const { user, topUps } = found;
      const balance = user.lastBalanceMinor === null ? "unknown" : money(user.lastBalanceMinor, panelCurrency);
      return [
        `customer ${customerLabel(user)}: panel login ${user.panelLogin ?? "(not linked)"}, language ${user.language}, last known balance ${balance}, since ${dateTime(user.createdAt)}`,
        "",
        `latest ${topUps.length} top-up(s):`,
        ...topUps.map((t) => `  ${dateTime(t.createdAt)}  ${t.reference}  ${money(t.amountMinor, t.currency)}  ${t.status}`),
      ].join("\n");
    }
  }
}
