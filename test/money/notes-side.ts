import { Api } from "grammy";
import { createDelivery } from "../../src/bot/delivery.js";
import { loadConfig } from "../../src/config/config.js";
import type { LedgerDatabase } from "../../src/ledger/hot-path.js";
import type { Wakeup } from "../../src/db/wakeup.js";
import { createNotifier } from "../../src/jobs/notifier.js";
import type { PanelClient } from "../../src/panel/panel-client.js";
import { createFakeTelegram } from "../../sandbox/telegram/index.js";
import { silentLog } from "../support/core.js";
import { fakeBotToken } from "../support/bot-token.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export const ADMIN_CHAT = -100;

/**
 * Where the money tests' notes land: a fake Telegram with an admin group and one customer who has
 * started the bot, and a notifier delivering the outbox to it the way the application does.
 */
export async function startNotesSide(opts: {
  database: LedgerDatabase; wakeup: Wakeup; panel: PanelClient; panelUrl: string; panelKey: string;
  shop: string; customer: { id: number; first_name: string }; start?: boolean;
}) {
  const fake = await createFakeTelegram();
  const token = fakeBotToken(700_000 + Math.floor(Math.random() * 199_999), "NOTES-bot_token");
  const driver = fake.bot(token, { username: "khqr_notes_bot" });
  driver.addGroup({ id: ADMIN_CHAT, title: "Admins" });
  driver.addUser({ ...opts.customer, language_code: "en" });
  // Telegram lets a bot write only to users who started it.
  driver.sendText(opts.customer.id, "/start");

  const config = loadConfig({
    BOT_TOKEN: token, TELEGRAM_API_ROOT: fake.url, ADMIN_IDS: "1", ADMIN_CHAT_ID: String(ADMIN_CHAT),
    BAKONG_TOKEN: "t", BAKONG_ACCOUNT_ID: "merchant@aclb", PANEL_URL: opts.panelUrl, PANEL_API_KEY: opts.panelKey, MERCHANT_NAME: opts.shop,
  });
  const api = new Api(token, { apiRoot: fake.url });
  const notifier = createNotifier(
    { database: opts.database, wakeup: opts.wakeup, deliver: createDelivery(api, { database: forMerchant(opts.database, DEFAULT_MERCHANT_ID), panel: opts.panel, config, log: silentLog }), log: silentLog },
    { sweepMs: 100, leaseMs: 30_000, batch: 50 },
  );
  if (opts.start !== false) notifier.start();
  return {
    driver, notifier,
    /** Text of every message the bot sent to a chat so far. */
    texts: (chatId: number) => driver.messagesIn(chatId).map((m) => m.text ?? m.caption ?? ""),
    async stop() {
      await notifier.stop();
      await fake.close();
    },
  };
}
