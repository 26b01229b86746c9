import type { Conversation, ConversationFlavor } from "@grammyjs/conversations";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context, SessionFlavor } from "grammy";
import type { Locale } from "./i18n.js";

/** A refund an admin asked for and has not confirmed yet; the token ties the button to it. */
export interface PendingRefund {
  token: string;
  /** Epoch ms after which the confirmation button no longer works. */
  expiresAt: number;
  reference: string;
  amountMinor?: number;
  reason: string;
  /** The plan's message: a newer plan removes its buttons. */
  messageId?: number;
  /** Refunded before the plan was shown: the confirmation refunds only while it still is (absent in sessions saved before). */
  refundedBeforeMinor?: number;
}

/** A manual credit above TOPUP_MAX waiting for the admin's confirmation; the token ties the button to it. */
export interface PendingCredit {
  token: string;
  /** Epoch ms after which the confirmation button no longer works. */
  expiresAt: number;
  login: string;
  amountMinor: number;
  reason: string;
  /** The payment without a top-up of ours the credit settles (/credit --orphan). */
  orphan?: string;
}

/** Per chat, in the shared storage. Only JSON values: it is serialised as is. */
export interface SessionData {
  language?: Locale;
  refund?: PendingRefund;
  credit?: PendingCredit;
}

export type BotContext = ConversationFlavor<Context & SessionFlavor<SessionData> & I18nFlavor>;

/**
 * Context objects inside conversations are built from scratch and get no plugins: every Bot API call
 * there goes through `conversation.external` with the outside context (see conversations/steps.ts).
 */
export type ConversationContext = Context;
export type BotConversation = Conversation<BotContext, ConversationContext>;

/** Sessions, conversations and sequentialize all work per chat. */
export function chatKey(ctx: Pick<Context, "chat">): string | undefined {
  return ctx.chat?.id.toString();
}
