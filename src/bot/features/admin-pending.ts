import type { Composer } from "grammy";
import { AdminComposer, replyLong } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { clock, money } from "../format.js";
import { adminText as t } from "../i18n.js";

/** /pending: top-ups waiting for payment, credits held for an admin and payments matching no top-up. */
export function adminPendingFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  admin.command("pending", async (ctx) => {
    const { openTopUps, heldCredits, orphanPayments } = await deps.admin.pending();
    if (openTopUps.length === 0 && heldCredits.length === 0 && orphanPayments.length === 0) return ctx.reply(t("admin-pending-none"));
    const lines = [
      t("admin-pending-open", { count: openTopUps.length }),
      ...openTopUps.map((tu) =>
        t("admin-pending-open-line", { reference: tu.reference, amount: money(tu.amountMinor, tu.currency), provider: tu.provider, login: tu.panelLogin, expires: clock(tu.expiresAt) }),
      ),
      "",
      t("admin-pending-held", { count: heldCredits.length }),
      ...heldCredits.map((c) =>
        t("admin-pending-held-line", {
          id: c.id,
          reference: c.reference ?? c.memo,
          amount: money(c.amountMinor, c.currency),
          login: c.panelLogin,
          reason: c.lastError ?? "-",
        }),
      ),
      ...(orphanPayments.length === 0
        ? []
        : [
            "",
            t("admin-pending-orphans", { count: orphanPayments.length }),
            ...orphanPayments.map((p) =>
              t("admin-pending-orphan-line", { txn: p.providerTxnId, provider: p.provider, amount: money(p.amountMinor, p.currency), reference: p.reference ?? "-", at: clock(p.observedAt) }),
            ),
          ]),
    ];
    await replyLong(ctx, lines.join("\n"));
  });
  return admin.composer;
}
