import type { Composer } from "grammy";
import { AdminComposer, replyLong } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { clock, money } from "../format.js";

/** /pending: top-ups waiting for payment, credits held for an admin and payments matching no top-up. */
export function adminPendingFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  admin.command("pending", async (ctx) => {
    const t = ctx.t.bind(ctx);
    const { openTopUps, heldCredits, orphanPayments, totals } = await deps.admin.pending();
    if (openTopUps.length === 0 && heldCredits.length === 0 && orphanPayments.length === 0) return ctx.reply(t("admin-pending-none"));
    const more = (total: number, shown: number) => (total > shown ? [t("admin-pending-more", { count: total - shown })] : []);
    const lines = [
      t("admin-pending-open", { count: totals.openTopUps }),
      ...openTopUps.map((tu) =>
        t("admin-pending-open-line", { reference: tu.reference, amount: money(tu.amountMinor, tu.currency), provider: tu.provider, login: tu.panelLogin, expires: clock(tu.expiresAt) }),
      ),
      ...more(totals.openTopUps, openTopUps.length),
      "",
      t("admin-pending-held", { count: totals.heldCredits }),
      ...heldCredits.map((c) =>
        t("admin-pending-held-line", {
          id: c.id,
          reference: c.reference ?? c.memo,
          amount: money(c.amountMinor, c.currency),
          login: c.panelLogin,
          reason: c.lastError ?? "-",
        }),
      ),
      ...more(totals.heldCredits, heldCredits.length),
      ...(orphanPayments.length === 0
        ? []
        : [
            "",
            t("admin-pending-orphans", { count: totals.orphanPayments }),
            ...orphanPayments.map((p) =>
              t("admin-pending-orphan-line", { txn: p.providerTxnId, provider: p.provider, amount: money(p.amountMinor, p.currency), reference: p.reference ?? "-", at: clock(p.observedAt) }),
            ),
            ...more(totals.orphanPayments, orphanPayments.length),
          ]),
    ];
    await replyLong(ctx, lines.join("\n"));
  });
  return admin.composer;
}
