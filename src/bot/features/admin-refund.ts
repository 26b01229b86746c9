import { randomBytes } from "node:crypto";
import { InlineKeyboard, type Composer } from "grammy";
import type { RefundOutcome, RefundPlan, RefundPlanResult } from "../../admin/admin-service.js";
import { readAmountAndReason } from "../../admin/amount-words.js";
import type { Currency } from "../../money/money.js";
import { AdminComposer, args } from "../admin-command.js";
import type { BotContext } from "../context.js";
import type { BotDeps } from "../deps.js";
import { dateTime, money } from "../format.js";
import type { Translate } from "../i18n.js";
import { actionSigner, returnedKeyboard, stoppedKeyboard, type SignAction } from "../keyboards/held-actions.js";
import { ignoreRefusal } from "../telegram-errors.js";

const CONFIRM = /^rf:(ok|no):([0-9a-f]{12})$/;
/** A plan shown longer ago than this may no longer hold: the admin asks again. */
const CONFIRM_WITHIN_MS = 10 * 60_000;

/** /refund <reference> [amount] [reason]: shows the plan, refunds only after the admin confirms it. */
export function adminRefundFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  const sign = actionSigner(deps.config.bot.token).data;

  admin.command("refund", async (ctx) => {
    const t: Translate = (key, vars) => ctx.t(key, vars);
    const [reference, ...rest] = args(ctx);
    if (!reference) return ctx.reply(t("admin-refund-usage"));
    // A refund still waiting for the money to be returned by hand can be confirmed from here too.
    for (const p of await deps.admin.pendingRefunds(reference)) {
      const vars = { id: p.refundId, amount: money(p.amountMinor, p.currency), reference, at: dateTime(p.createdAt) };
      await ctx.reply(t(p.stopped ? "admin-refund-still-stopped" : "admin-refund-still-pending", vars), {
        reply_markup: (p.stopped ? stoppedKeyboard : returnedKeyboard)(sign, t, p.refundId, false),
      });
    }
    const first = await deps.admin.planRefund(reference);
    if (!first.ok) return ctx.reply(planProblem(t, first, reference));
    const read = readAmountAndReason(rest, first.plan.currency);
    if (!read.ok) return ctx.reply(t("admin-bad-amount", { text: read.text, currency: first.plan.currency }));
    const { amountMinor } = read;
    const reason = read.reason.join(" ") || t("admin-refund-no-reason");
    const planned = amountMinor === undefined ? first : await deps.admin.planRefund(reference, amountMinor);
    if (!planned.ok) return ctx.reply(planProblem(t, planned, reference));

    // A newer plan replaces the older one: its buttons go, rather than answer "expired" later.
    const older = ctx.session.refund;
    if (older?.messageId !== undefined) {
      await ctx.api.editMessageText(ctx.chat.id, older.messageId, t("admin-refund-superseded", { reference: older.reference })).catch(ignoreRefusal);
    }
    const token = randomBytes(6).toString("hex");
    const shown = await ctx.reply(planText(t, planned.plan, reason), {
      reply_markup: new InlineKeyboard().text(t("admin-refund-confirm"), `rf:ok:${token}`).text(t("admin-refund-abort"), `rf:no:${token}`),
    });
    ctx.session.refund = {
      token, expiresAt: Date.now() + CONFIRM_WITHIN_MS, reference, reason, messageId: shown.message_id, refundedBeforeMinor: planned.plan.refundedBeforeMinor,
      ...(amountMinor === undefined ? {} : { amountMinor }),
    };
  });

  admin.callbackQuery(CONFIRM, async (ctx) => {
    const t: Translate = (key, vars) => ctx.t(key, vars);
    const [, choice, token] = ctx.match;
    const pending = ctx.session.refund;
    const valid = pending !== undefined && pending.token === token && pending.expiresAt >= Date.now();
    // The token is taken in the shared storage: a double tap, even on two instances, refunds once.
    if (!valid || !(await deps.storage.acquire(`refund:${token}`, CONFIRM_WITHIN_MS))) {
      await ctx.editMessageReplyMarkup().catch(ignoreRefusal);
      return ctx.answerCallbackQuery({ text: t("admin-refund-stale") });
    }
    ctx.session.refund = undefined;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(ignoreRefusal);
    if (choice === "no") return ctx.reply(t("admin-refund-aborted", { reference: pending.reference }));
    const result = await deps.admin.refund({
      reference: pending.reference,
      reason: pending.reason,
      adminId: BigInt(ctx.from.id),
      // Refunds only if nothing was refunded since this plan was shown: two confirmations refund once.
      expectedRefundedMinor: pending.refundedBeforeMinor,
      ...(pending.amountMinor === undefined ? {} : { amountMinor: pending.amountMinor }),
    });
    if ("refundId" in result) return replyOutcome(ctx, result, t, sign);
    return ctx.reply(planProblem(t, result, pending.reference));
  });

  return admin.composer;
}

export function planProblem(t: Translate, problem: RefundPlanResult, reference: string): string {
  if (problem.ok) return t("admin-refund-problem", { reason: "not_refunded", reference });
  const details: Record<string, string | number> =
    problem.reason === "credit_in_flight" ? { creditId: problem.creditId, memo: problem.memo, status: problem.status }
    : problem.reason === "several_logins" ? { login: problem.login, most: money(problem.atMostMinor, problem.currency) }
    : {};
  return t("admin-refund-problem", { reason: problem.reason, reference, ...details });
}

function planText(t: Translate, plan: RefundPlan, reason: string): string {
  const currency = plan.currency;
  return [
    t("admin-refund-plan", {
      reference: plan.topUp.reference,
      login: plan.topUp.panelLogin,
      paid: money(plan.refundableMinor, currency),
      amount: money(plan.amountMinor, currency),
      provider: plan.topUp.provider,
      providerWay: plan.provider,
      panelWay: plan.panel,
      debit: money(plan.panelDebitMinor, plan.panelCurrency),
      debitLogin: plan.panelLogin,
      reason,
    }),
    ...(plan.notCreditedMinor > 0 && plan.panel !== "not_credited" ? [t("admin-refund-plan-not-credited", { amount: money(plan.notCreditedMinor, currency) })] : []),
    ...(plan.panelBalanceMinor === undefined ? [] : [t("admin-refund-plan-balance", { login: plan.panelLogin, balance: money(plan.panelBalanceMinor, plan.panelCurrency) })]),
    ...(plan.bonusTakeBackMinor > 0 ? [t("admin-refund-plan-bonus", { bonus: money(plan.bonusTakeBackMinor, plan.panelCurrency), panelWay: plan.panel })] : []),
  ].join("\n");
}

/** The result, with "refund anyway" on a stopped refund and "money returned" while it waits for the admin's manual step. */
export async function replyOutcome(ctx: BotContext, o: RefundOutcome, t: Translate, sign: SignAction): Promise<void> {
  const keyboard = o.stopped ? stoppedKeyboard(sign, t, o.refundId, false) : o.pending ? returnedKeyboard(sign, t, o.refundId, false) : undefined;
  await ctx.reply(outcomeText(o, t), keyboard ? { reply_markup: keyboard } : {});
}

export function outcomeText(o: RefundOutcome, t: Translate): string {
  const panelAmount = money(o.panel.amountMinor, o.panel.currency as Currency);
  return [
    t("admin-refund-done", { reference: o.reference, amount: money(o.amountMinor, o.currency), id: o.refundId }),
    t("admin-refund-provider", { status: o.provider.status, message: o.provider.message ?? "" }),
    t("admin-refund-panel", { status: o.panel.status, amount: panelAmount, message: o.panel.message ?? "" }),
    ...(o.panel.bonusMinor > 0 ? [t("admin-refund-panel-bonus", { bonus: money(o.panel.bonusMinor, o.panel.currency) })] : []),
    o.stopped ? t("admin-refund-stopped") : o.pending ? t("admin-refund-pending", { amount: money(o.amountMinor, o.currency) }) : t("admin-refund-customer-told"),
  ].join("\n");
}
