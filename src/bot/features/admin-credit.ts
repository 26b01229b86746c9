import { randomBytes } from "node:crypto";
import { InlineKeyboard, type Composer } from "grammy";
import { takeOption } from "../../admin/admin-words.js";
import { readAmount } from "../../admin/amount-words.js";
import { manualCreditLimit } from "../../admin/manual-credit-limit.js";
import { AdminComposer, args } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { money } from "../format.js";
import type { Translate } from "../i18n.js";
import { ignoreRefusal } from "../telegram-errors.js";

const ONE_DAY_MS = 86_400_000;
const CONFIRM = /^cr:(ok|no):([0-9a-f]{12})$/;
/** A confirmation shown longer ago than this no longer works: the admin asks again. */
const CONFIRM_WITHIN_MS = 10 * 60_000;

/** /recredit <reference> [reason] and /credit <login> <amount> <reason> (above TOPUP_MAX only once confirmed). */
export function adminCreditFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  const currency = deps.config.panel.currency;
  const limit = manualCreditLimit(deps.config);

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

  /** `orphan`: the payment without a top-up of ours this credit settles (once). */
  async function queueCredit(ctx: BotContext, t: Translate, login: string, amountMinor: number, reason: string, orphan?: string): Promise<void> {
    const outcome = await deps.admin.manualCredit({ login, amountMinor, reason, adminId: BigInt(ctx.from!.id), ...(orphan === undefined ? {} : { orphan }) });
    if (outcome.status !== "queued") {
      await ctx.reply(t("admin-credit-orphan-refused", { status: outcome.status, txn: orphan ?? "", id: "creditId" in outcome ? outcome.creditId : 0 }));
      return;
    }
    await ctx.reply(t("admin-credit-queued", { id: outcome.creditId, amount: money(amountMinor, currency), login, memo: outcome.memo }));
  }

  admin.command("credit", async (ctx) => {
    const t: Translate = (key, vars) => ctx.t(key, vars);
    const orphan = takeOption(args(ctx), "--orphan");
    if (!orphan.ok) return ctx.reply(t("admin-credit-usage", { currency }));
    const [login, amountText, ...reasonWords] = orphan.rest;
    const reason = reasonWords.join(" ");
    if (!login || !amountText || !reason) return ctx.reply(t("admin-credit-usage", { currency }));
    const amountMinor = readAmount(amountText, currency);
    if (amountMinor === undefined) return ctx.reply(t("admin-bad-amount", { text: amountText, currency }));
    if (amountMinor > limit) {
      // No customer can pay this much at once: most likely a typo, so the admin confirms it first.
      const token = randomBytes(6).toString("hex");
      const amount = money(amountMinor, currency);
      await ctx.reply(t("admin-credit-confirm-ask", { amount, login, limit: money(limit, currency), reason }), {
        reply_markup: new InlineKeyboard().text(t("admin-credit-confirm", { amount }), `cr:ok:${token}`).text(t("admin-credit-abort"), `cr:no:${token}`),
      });
      ctx.session.credit = { token, expiresAt: Date.now() + CONFIRM_WITHIN_MS, login, amountMinor, reason, ...(orphan.value === undefined ? {} : { orphan: orphan.value }) };
      return;
    }
    // Telegram delivers a webhook update again when our answer was lost: the same message credits once.
    if (!(await deps.storage.acquire(`credit:${ctx.chat.id}:${ctx.msg.message_id}`, ONE_DAY_MS))) return;
    await queueCredit(ctx, t, login, amountMinor, reason, orphan.value);
  });

  admin.callbackQuery(CONFIRM, async (ctx) => {
    const t: Translate = (key, vars) => ctx.t(key, vars);
    const [, choice, token] = ctx.match;
    const pending = ctx.session.credit;
    const valid = pending !== undefined && pending.token === token && pending.expiresAt >= Date.now();
    // The token is taken in the shared storage: a double tap, even on two instances, credits once.
    if (!valid || !(await deps.storage.acquire(`credit-confirm:${token}`, CONFIRM_WITHIN_MS))) {
      await ctx.editMessageReplyMarkup().catch(ignoreRefusal);
      return ctx.answerCallbackQuery({ text: t("admin-credit-stale") });
    }
    ctx.session.credit = undefined;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(ignoreRefusal);
    if (choice === "no") return ctx.reply(t("admin-credit-aborted", { amount: money(pending.amountMinor, currency), login: pending.login }));
    await queueCredit(ctx, t, pending.login, pending.amountMinor, pending.reason, pending.orphan);
  });

  return admin.composer;
}
