import { autoRetry } from "@grammyjs/auto-retry";
import { conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import { Api, Bot, session, type Transformer } from "grammy";
import { chatKey, type BotContext, type ConversationContext, type SessionData } from "./context.js";
import { CONVERSATION_TIMEOUT_MS } from "./conversations/steps.js";
import { LINK_CONVERSATION, linkAccountConversation } from "./conversations/link-account.js";
import { TOPUP_CONVERSATION, topUpConversation } from "./conversations/topup.js";
import { createAdminNotes } from "../admin/notes.js";
import { createCustomers } from "../customers/customers.js";
import { commandHandlers } from "./commands.js";
import type { BotDeps, FeatureDeps, SendingRules } from "./deps.js";
import { heldActionsFeature } from "./features/held-actions.js";
import { paymentButtonsFeature } from "./features/payment-buttons.js";
import { startFeature } from "./features/start.js";
import { testPaymentFeature } from "./features/test-payment.js";
import { unhandledFeature } from "./features/unhandled.js";
import { botI18n } from "./i18n.js";
import { leaveConversationOnCommand } from "./middlewares/leave-conversation.js";
import { logUpdates } from "./middlewares/log-updates.js";
import { syncUsers } from "./middlewares/users.js";
import { describeError } from "./telegram-errors.js";

export type { BotDeps } from "./deps.js";
export type { BotContext } from "./context.js";

/**
 * Telegram allows about one message per second in a chat, with short bursts: a bucket of 20 that refills
 * one per second (the throttler's default spaces every call by a full second, which makes a card and its
 * follow-ups crawl).
 */
const PRIVATE_CHAT_RATE = {
  maxConcurrent: 1,
  reservoir: 20,
  reservoirIncreaseAmount: 1,
  reservoirIncreaseInterval: 1000,
  reservoirIncreaseMaximum: 20,
};

/** The runner's `sequentialize` constraint: one update at a time per chat (sessions and conversations are per chat). */
export const sequentializeKey = chatKey;

/** Telegram's Bot API as the bot and the notifier (src/crediting/worker.ts) call it: retried on 429/5xx, throttled per chat. */
export function createBotApi(token: string, apiRoot: string): Api {
  const api = new Api(token, { apiRoot });
  createSendingRules()(api);
  return api;
}

/**
 * Retries and throttling for one bot token. Telegram's limits are per bot: a bot rebuilt for the same token (a
 * platform's merchant, after idling) takes the same rules, so its throttling state carries over.
 */
export function createSendingRules(): SendingRules {
  // 429 and 5xx only: a network error may hide a message that was sent, and a retry would send it twice.
  const rules: Transformer[] = [autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }), apiThrottler({ out: PRIVATE_CHAT_RATE })];
  return (api) => {
    for (const rule of rules) api.config.use(rule);
  };
}

/** Builds the bot; starts nothing. Private chats only: group updates are ignored (the admin chat only receives notes). */
export function createBot(token: string, botDeps: BotDeps): Bot<BotContext> {
  const deps: FeatureDeps = { ...botDeps, customers: createCustomers(botDeps.database), adminNotes: createAdminNotes(botDeps.database) };
  const bot = new Bot<BotContext>(token, {
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    client: { apiRoot: deps.config.bot.apiRoot },
  });
  (deps.sendingRules ?? createSendingRules())(bot.api);

  bot.use(logUpdates(deps.log));
  if (deps.config.bot.mode === "polling") bot.use(sequentialize(sequentializeKey));
  // The one exception to "private chats only": admin notes' buttons are pressed in the admin group too.
  bot.use(heldActionsFeature(deps));
  const chats = bot.chatType("private");
  chats.use(session<SessionData, BotContext>({ initial: () => ({}), storage: deps.storage.session, getSessionKey: chatKey }));
  chats.use(botI18n());
  chats.use(syncUsers(deps.customers));
  chats.use(
    conversations<BotContext, ConversationContext>({
      // Bump `version` when a conversation's steps change: stored replays of the old code are then dropped.
      storage: { type: "key", version: 1, adapter: deps.storage.conversations, getStorageKey: chatKey },
    }),
  );
  chats.use(commandHandlers(deps, "beforeConversations"));
  chats.use(leaveConversationOnCommand);
  const conversationOptions = { maxMillisecondsToWait: CONVERSATION_TIMEOUT_MS };
  chats.use(createConversation(linkAccountConversation(deps), { id: LINK_CONVERSATION, ...conversationOptions }));
  chats.use(createConversation(topUpConversation(deps), { id: TOPUP_CONVERSATION, ...conversationOptions }));

  chats.use(testPaymentFeature(deps), startFeature(deps), commandHandlers(deps, "afterConversations"), paymentButtonsFeature(deps), unhandledFeature());

  bot.catch(async ({ ctx, error }) => {
    deps.log.error({ updateId: ctx.update.update_id, ...describeError(error) }, "update failed");
    if (ctx.chat?.type !== "private") return;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    const apology = typeof ctx.t === "function" ? ctx.t("error-generic") : botI18n().t("en", "error-generic");
    await ctx.reply(apology).catch(() => undefined);
  });
  return bot;
}
