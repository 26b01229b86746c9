import { Composer, type CallbackQueryContext } from "grammy";
import { adminTranslator } from "../admin-locale.js";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { isAdmin } from "../filters/is-admin.js";
import { clock, money } from "../format.js";
import type { Translate } from "../i18n.js";
import { ACTION_CODES, ACTION_DATA, actionSigner, confirmKeyboard, heldKeyboard, returnedKeyboard, stoppedKeyboard } from "../keyboards/held-actions.js";
import { ignoreRefusal } from "../telegram-errors.js";
import { findText } from "./admin-find.js";
import { planProblem, replyOutcome } from "./admin-refund.js";

/** The audit log's reason for changes made from a note's buttons. */
const REASON = "from the admin note's button";
/** Two taps (two admins, two instances) on the same note act once; the second is told it is in hand. */
const ACT_ONCE_MS = 5 * 60_000;

type Ctx = CallbackQueryContext<BotContext>;

/**
 * The buttons on admin notes: Credit / Refund / Details on a held credit (each change confirmed first),
 * and "money returned" on a refund that waits for the admin's manual step. Works in the admin group as
 * well as in an admin's private chat; only ADMIN_IDS may press, and the data is signed (held-actions keyboard).
 * Each change is audited by the admin service and the note is edited to say who did what.
 */
export function heldActionsFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const signer = actionSigner(deps.config.bot.token);
  const sign = signer.data;
  const admin = isAdmin(deps.config);

  const editKeyboard = (ctx: Ctx, markup: Parameters<Ctx["editMessageReplyMarkup"]>[0]) => ctx.editMessageReplyMarkup(markup).catch(ignoreRefusal);

  /** The note's text with what happened appended; its buttons go. */
  async function closeNote(ctx: Ctx, line: string): Promise<void> {
    const before = ctx.callbackQuery.message && "text" in ctx.callbackQuery.message ? (ctx.callbackQuery.message.text ?? "") : "";
    await ctx.editMessageText(`${before}\n\n${line}`.slice(0, 4096)).catch(ignoreRefusal);
  }

  function who(ctx: Ctx): string {
    return ctx.from.username ? `@${ctx.from.username} (${ctx.from.id})` : `${ctx.from.first_name} (${ctx.from.id})`;
  }

  async function heldCredit(creditId: number) {
    const { credit, topUp } = await deps.adminNotes.creditWithTopUp(creditId);
    return { credit, topUp, held: credit?.status === "HELD" };
  }

  async function act(ctx: Ctx, code: string, id: number, t: Translate): Promise<unknown> {
    const adminId = BigInt(ctx.from.id);
    switch (code) {
      case ACTION_CODES.credit:
      case ACTION_CODES.refund: {
        const { held, topUp } = await heldCredit(id);
        if (!held) {
          await editKeyboard(ctx, undefined);
          return ctx.answerCallbackQuery({ text: t("admin-held-nothing-held") });
        }
        const what = code === ACTION_CODES.credit || !topUp ? "credit" : "refund";
        await editKeyboard(ctx, { reply_markup: confirmKeyboard(sign, t, id, what) });
        return ctx.answerCallbackQuery({ text: t(what === "credit" ? "admin-held-ask-credit" : "admin-held-ask-refund") });
      }
      case ACTION_CODES.back: {
        const { held, topUp } = await heldCredit(id);
        await editKeyboard(ctx, held ? { reply_markup: heldKeyboard(sign, t, id, topUp !== null) } : undefined);
        return ctx.answerCallbackQuery();
      }
      case ACTION_CODES.details: {
        const { credit, topUp } = await heldCredit(id);
        await ctx.answerCallbackQuery();
        if (!credit) return ctx.reply(t("admin-held-nothing-held"));
        if (!topUp) {
          return ctx.reply(t("admin-pending-held-line", { id: credit.id, reference: credit.memo, amount: money(credit.amountMinor, credit.currency), login: credit.panelLogin, reason: credit.lastError ?? "-" }));
        }
        return ctx.reply(findText(await deps.admin.find(topUp.reference), topUp.reference, deps.config.panel.currency, t).slice(0, 4096));
      }
      case ACTION_CODES.confirmCredit: {
        if (!(await deps.storage.acquire(`note-action:credit:${id}`, ACT_ONCE_MS))) return ctx.answerCallbackQuery({ text: t("admin-held-in-hand") });
        const outcome = await deps.admin.releaseHeld({ creditId: id, adminId, reason: REASON });
        await ctx.answerCallbackQuery();
        return closeNote(ctx, t("admin-held-credited", { status: outcome.status, who: who(ctx), at: clock(new Date()), id }));
      }
      case ACTION_CODES.confirmRefund: {
        if (!(await deps.storage.acquire(`note-action:credit:${id}`, ACT_ONCE_MS))) return ctx.answerCallbackQuery({ text: t("admin-held-in-hand") });
        const { topUp } = await heldCredit(id);
        await ctx.answerCallbackQuery();
        if (!topUp) return closeNote(ctx, t("admin-held-nothing-held"));
        const result = await deps.admin.refund({ reference: topUp.reference, reason: REASON, adminId, heldCreditId: id });
        if (!("refundId" in result)) return closeNote(ctx, planProblem(t, result, topUp.reference));
        await closeNote(ctx, t("admin-held-refunded", { who: who(ctx), at: clock(new Date()), amount: money(result.amountMinor, result.currency), id: result.refundId }));
        return replyOutcome(ctx, result, t, sign);
      }
      case ACTION_CODES.returned:
      case ACTION_CODES.notReturned:
        await editKeyboard(ctx, { reply_markup: returnedKeyboard(sign, t, id, code === ACTION_CODES.returned) });
        return ctx.answerCallbackQuery(code === ACTION_CODES.returned ? { text: t("admin-refund-ask-returned") } : {});
      case ACTION_CODES.anyway:
      case ACTION_CODES.notAnyway:
        await editKeyboard(ctx, { reply_markup: stoppedKeyboard(sign, t, id, code === ACTION_CODES.anyway) });
        return ctx.answerCallbackQuery(code === ACTION_CODES.anyway ? { text: t("admin-refund-ask-anyway") } : {});
      case ACTION_CODES.confirmAnyway: {
        if (!(await deps.storage.acquire(`note-action:anyway:${id}`, ACT_ONCE_MS))) return ctx.answerCallbackQuery({ text: t("admin-held-in-hand") });
        const outcome = await deps.admin.refundAnyway({ refundId: id, adminId });
        await ctx.answerCallbackQuery();
        if ("status" in outcome) return closeNote(ctx, t("admin-refund-not-stopped"));
        await editKeyboard(ctx, undefined);
        return replyOutcome(ctx, outcome, t, sign);
      }
      case ACTION_CODES.confirmReturned: {
        const outcome = await deps.admin.confirmReturned({ refundId: id, adminId });
        await ctx.answerCallbackQuery();
        if (outcome.status !== "confirmed") return closeNote(ctx, t("admin-refund-returned-already"));
        return closeNote(ctx, t("admin-refund-returned", { who: who(ctx), at: clock(new Date()), amount: money(outcome.amountMinor, outcome.currency), reference: outcome.reference }));
      }
    }
  }

  composer.callbackQuery(ACTION_DATA, async (ctx) => {
    const t = await adminTranslator(deps.customers, ctx.from.id, deps.config.bot.adminIds);
    if (!admin(ctx)) return ctx.answerCallbackQuery({ text: t("admin-held-admins-only") });
    const [, code, idText, signature] = ctx.match;
    if (!signer.verify(code!, idText!, signature!)) return ctx.answerCallbackQuery({ text: t("admin-held-invalid") });
    try {
      await act(ctx, code!, Number(idText), t);
    } catch (err) {
      deps.log.error({ err, action: code, adminId: ctx.from.id }, "admin note action failed");
      await ctx.answerCallbackQuery({ text: t("admin-failed", { message: t("admin-failed-internal") }) }).catch(ignoreRefusal);
    }
  });
  return composer;
}
