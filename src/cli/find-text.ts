import type { FindResult } from "../admin/admin-service.js";
import { customerLabel, dateTime, money } from "../bot/format.js";

/** What `find` prints: a top-up with its timeline, a customer with their latest top-ups, or payments by transaction id. */
export function findText(found: FindResult, query: string, panelCurrency: string): string {
  switch (found.kind) {
    case "none":
      return `nothing found for "${query}" (a reference, provider transaction id, @username, Telegram id or panel login)`;
    case "topup": {
      const { topUp, user, timeline } = found;
      return [
        `top-up ${topUp.reference}: ${topUp.status}, ${money(topUp.amountMinor, topUp.currency)} via ${topUp.provider} for panel login ${topUp.panelLogin}, customer ${customerLabel(user)}`,
        "",
        "timeline (Asia/Phnom_Penh):",
        ...timeline.map((e) => `  ${dateTime(e.at)}  ${e.event}${e.detail ? `  ${e.detail}` : ""}`),
      ].join("\n");
    }
    case "payments":
      return [
        `${found.payments.length} payment(s) by provider transaction id or the reference the provider sent:`,
        ...found.payments.map(
          (p) =>
            `  ${dateTime(p.observedAt)}  ${p.provider} txn ${p.providerTxnId}  ${money(p.amountMinor, p.currency)}  ${p.flag}  ` +
            (p.topUpReference ? `top-up ${p.topUpReference}` : `no top-up of ours (orphan${p.reference ? `, reference sent: ${p.reference}` : ""})`),
        ),
      ].join("\n");
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
