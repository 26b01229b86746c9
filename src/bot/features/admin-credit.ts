import type { Composer } from "grammy";
import { parseAmount } from "../../payments/money.js";
import { takeOption } from "../../admin/admin-words.js";
import { AdminComposer, args } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { money } from "../format.js";

const ONE_DAY_MS = 86_400_000;

/** /recredit <reference> [reason] and /credit <login> <amount> <reason>. */
export function adminCreditFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  const currency = deps.config.panel.currency;

  admin.command("recredit", async (ctx) => {
    const t = ctx.t.bind(ctx);
    const to = takeOption(args(ctx), "--to");
    const [reference, ...reason] = to.ok ? to.rest : [];
    if (!to.ok || !reference || (to.value !== undefined && reason.length === 0)) return ctx.reply(t("admin-recredit-usage"));
    const outcome = await deps.admin.recredit({
      reference,
      adminId: BigInt(ctx.from!.id),
      ...(reason.length > 0 ? { reason: reason.join(" ") } : {}),
      ...(to.value === undefined ? {} : { toLogin: to.value }),
    });
    const id = "creditId" in outcome ? outcome.creditId : 0;
    await ctx.reply(t("admin-recredit-outcome", { status: outcome.status, reference, id }));
  });

  admin.command("credit", async (ctx) => {
    const t = ctx.t.bind(ctx);
    const orphan = takeOption(args(ctx), "--orphan");
    if (!orphan.ok) return ctx.reply(t("admin-credit-usage", { currency }));
    const [login, amountText, ...reasonWords] = orphan.rest;
    const reason = reasonWords.join(" ");
    if (!login || !amountText || !reason) return ctx.reply(t("admin-credit-usage", { currency }));
    const amount = parseAmount(amountText, currency);
    if (!amount.ok || amount.minor <= 0) return ctx.reply(t("admin-credit-bad-amount", { text: amountText, currency }));
    // Telegram delivers a webhook update again when our answer was lost: the same message credits once.
    if (!(await deps.storage.acquire(`credit:${ctx.chat.id}:${ctx.msg.message_id}`, ONE_DAY_MS))) return;
    const outcome = await deps.admin.manualCredit({ login, amountMinor: amount.minor, reason, adminId: BigInt(ctx.from!.id), ...(orphan.value === undefined ? {} : { orphan: orphan.value }) });
    if (outcome.status !== "queued") {
      return ctx.reply(t("admin-credit-orphan-refused", { status: outcome.status, txn: orphan.value ?? "", id: "creditId" in outcome ? outcome.creditId : 0 }));
    }
    await ctx.reply(t("admin-credit-queued", { id: outcome.creditId, amount: money(amount.minor, currency), login, memo: outcome.memo }));
  });

  return admin.composer;
}
