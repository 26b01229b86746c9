import type { Composer } from "grammy";
import type { FindResult } from "../../admin/admin-service.js";
import { AdminComposer, replyLong } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { customerLabel, dateTime, money } from "../format.js";
import { adminText as t } from "../i18n.js";

/** /find <reference | @username | telegram id | panel login>: the top-up with its timeline, or the user. */
export function adminFindFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  admin.command("find", async (ctx) => {
    const query = ctx.match.trim();
    if (!query) return ctx.reply(t("admin-find-usage"));
    await replyLong(ctx, findText(await deps.admin.find(query), query, deps.config.panel.currency));
  });
  return admin.composer;
}

function findText(found: FindResult, query: string, panelCurrency: string): string {
  switch (found.kind) {
    case "none":
      return t("admin-find-none", { query });
    case "topup": {
      const { topUp, user, timeline } = found;
      return [
        t("admin-find-topup", {
          reference: topUp.reference,
          status: topUp.status,
          amount: money(topUp.amountMinor, topUp.currency),
          provider: topUp.provider,
          login: topUp.panelLogin,
          who: customerLabel(user),
        }),
        "",
        t("admin-find-timeline"),
        ...timeline.map((e) => t("admin-find-event", { at: dateTime(e.at), event: e.event, detail: e.detail })),
      ].join("\n");
    }
    case "payments":
      return [
        t("admin-find-payments", { count: found.payments.length }),
        ...found.payments.map((p) =>
          t("admin-find-payment-line", {
            at: dateTime(p.observedAt),
            provider: p.provider,
            txn: p.providerTxnId,
            amount: money(p.amountMinor, p.currency),
            flag: p.flag,
            reference: p.topUpReference ?? p.reference ?? "-",
          }),
        ),
      ].join("\n");
    case "user": {
      const { user, topUps } = found;
      return [
        t("admin-find-user", {
          who: customerLabel(user),
          login: user.panelLogin ?? "-",
          language: user.language,
          balance: user.lastBalanceMinor === null ? "-" : money(user.lastBalanceMinor, panelCurrency),
          since: dateTime(user.createdAt),
        }),
        "",
        t("admin-find-topups", { count: topUps.length }),
        ...topUps.map((tu) =>
          t("admin-find-topup-line", { at: dateTime(tu.createdAt), reference: tu.reference, amount: money(tu.amountMinor, tu.currency), status: tu.status }),
        ),
      ].join("\n");
    }
  }
}
