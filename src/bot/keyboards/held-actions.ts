import { createHmac, timingSafeEqual } from "node:crypto";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n.js";

/**
 * Buttons on admin notes. The data names an action and a subject id (a held credit, or a refund waiting
 * for its manual step) and carries an HMAC keyed from the bot token: nobody can make up data for another
 * subject or action, even with a client that sends arbitrary callback data.
 */
export const ACTION_CODES = {
  /** On a held-credit note: ask to credit / refund / show details. */
  credit: "c",
  refund: "r",
  details: "d",
  /** Confirmations of the above. */
  confirmCredit: "C",
  confirmRefund: "R",
  /** Back to the three buttons. */
  back: "b",
  /** On a refund result: the admin returned the money by hand. */
  returned: "m",
  confirmReturned: "M",
  notReturned: "n",
  /** On a stopped refund (the panel did not take the credit back): refund anyway, confirmed. */
  anyway: "a",
  confirmAnyway: "A",
  notAnyway: "s",
} as const;
export type ActionCode = (typeof ACTION_CODES)[keyof typeof ACTION_CODES];

export const ACTION_DATA = /^ha:([crdCRbmMnaAs]):(\d{1,15}):([A-Za-z0-9_-]{16})$/;

export type SignAction = (code: ActionCode, id: number) => string;

export interface ActionSigner {
  data: SignAction;
  verify(code: string, id: string, signature: string): boolean;
}

export function actionSigner(botToken: string): ActionSigner {
  const key = createHmac("sha256", botToken).update("khqr admin note actions").digest();
  const mac = (code: string, id: string) => createHmac("sha256", key).update(`${code}:${id}`).digest().subarray(0, 12);
  return {
    data: (code, id) => `ha:${code}:${id}:${mac(code, String(id)).toString("base64url")}`,
    verify(code, id, signature) {
      const given = Buffer.from(signature, "base64url");
      return given.length === 12 && timingSafeEqual(given, mac(code, id));
    },
  };
}

/** Credit, Refund (when the credit belongs to a top-up) and Details under a held-credit note. */
export function heldKeyboard(sign: SignAction, t: Translate, creditId: number, refundable: boolean): InlineKeyboard {
  const keyboard = new InlineKeyboard().text(t("admin-held-credit"), sign(ACTION_CODES.credit, creditId));
  if (refundable) keyboard.text(t("admin-held-refund"), sign(ACTION_CODES.refund, creditId));
  return keyboard.text(t("admin-held-details"), sign(ACTION_CODES.details, creditId));
}

export function confirmKeyboard(sign: SignAction, t: Translate, creditId: number, what: "credit" | "refund"): InlineKeyboard {
  const confirm = what === "credit" ? ACTION_CODES.confirmCredit : ACTION_CODES.confirmRefund;
  return new InlineKeyboard()
    .text(t(what === "credit" ? "admin-held-confirm-credit" : "admin-held-confirm-refund"), sign(confirm, creditId))
    .text(t("admin-held-back"), sign(ACTION_CODES.back, creditId));
}

/** One button that asks, then "confirm" and "back": the two steps of an action on a refund. */
function askThenConfirm(
  sign: SignAction, t: Translate, refundId: number, confirming: boolean,
  step: { ask: [string, ActionCode]; confirm: [string, ActionCode]; back: ActionCode },
): InlineKeyboard {
  return confirming
    ? new InlineKeyboard().text(t(step.confirm[0]), sign(step.confirm[1], refundId)).text(t("admin-held-back"), sign(step.back, refundId))
    : new InlineKeyboard().text(t(step.ask[0]), sign(step.ask[1], refundId));
}

/** Under a refund that waits for the admin's manual step. */
export function returnedKeyboard(sign: SignAction, t: Translate, refundId: number, confirming: boolean): InlineKeyboard {
  return askThenConfirm(sign, t, refundId, confirming, {
    ask: ["admin-refund-mark-returned", ACTION_CODES.returned], confirm: ["admin-refund-confirm-returned", ACTION_CODES.confirmReturned], back: ACTION_CODES.notReturned,
  });
}

/** Under a refund that stopped because the panel did not take the credit back. */
export function stoppedKeyboard(sign: SignAction, t: Translate, refundId: number, confirming: boolean): InlineKeyboard {
  return askThenConfirm(sign, t, refundId, confirming, {
    ask: ["admin-refund-anyway", ACTION_CODES.anyway], confirm: ["admin-refund-confirm-anyway", ACTION_CODES.confirmAnyway], back: ACTION_CODES.notAnyway,
  });
}
