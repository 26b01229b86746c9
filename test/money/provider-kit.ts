import { randomBytes } from "node:crypto";
import { Api } from "grammy";
import { createLookup } from "../../src/admin/lookup.js";
import { createDelivery } from "../../src/bot/delivery.js";
import { loadConfig } from "../../src/config/config.js";
import { createNotifier } from "../../src/jobs/notifier.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createAhnajakProvider } from "../../src/payments/providers/ahnajak.js";
import { createPayWayProvider } from "../../src/payments/providers/payway.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import { startPerfectPanelSimulator } from "../../src/sandbox/panels/perfectpanel-simulator.js";
import { startAhnajakSimulator } from "../../src/sandbox/providers/ahnajak-simulator.js";
import { startPayWaySimulator } from "../../src/sandbox/providers/payway-simulator.js";
import { startRaksmeyPaySimulator } from "../../src/sandbox/providers/raksmeypay-simulator.js";
import { createFakeTelegram } from "../../src/sandbox/telegram/index.js";
import { eventually, silentLog, startCore } from "../support/core.js";
import type { TestDatabase } from "../support/databases.js";

export const ADMIN_CHAT = -100;
export const CUSTOMER_CHAT = 5_002;
const PANEL_KEY = "panel-key-provider-cases";
const RAKSMEY = { profileId: "p-cases", profileKey: "k-cases", webhookApiKey: "w-cases" };
const AHNAJAK = { profileId: "ahnajak-cases", secretKey: "ahnajak-cases-secret" };
const PAYWAY = {
  bakongId: "abaakhppxxx@abaa", merchantId: "125021214532846", acquiringBank: "ABA Bank",
  data: "0010PAYWAY@ABA0208104514230604A227", mcc: "5987", webhookToken: randomBytes(24).toString("hex"),
};

/**
 * RaksmeyPay, Ahnajak and PayWay end to end over loopback: their simulators post to the core's
 * webhook routes, the crediter credits the panel simulator, and the notifier delivers the admin and
 * customer notes to a fake Telegram. The poller is off, so each case is decided by the webhook alone.
 */
export async function startProviderKit(database: TestDatabase) {
  const fake = await createFakeTelegram();
  const token = `${800_000 + Math.floor(Math.random() * 99_999)}:CASES-bot_token`;
  const driver = fake.bot(token, { username: "khqr_cases_bot" });
  driver.addGroup({ id: ADMIN_CHAT, title: "Admins" });
  driver.addUser({ id: CUSTOMER_CHAT, first_name: "Sok", language_code: "en" });
  // Telegram lets a bot write only to users who started it.
  driver.sendText(CUSTOMER_CHAT, "/start");

  const raksmey = await startRaksmeyPaySimulator({ ...RAKSMEY, merchantName: "Cases Shop" });
  const ahnajak = await startAhnajakSimulator({ ...AHNAJAK, merchantName: "Cases Shop" });
  const payway = await startPayWaySimulator();
  const panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { sok: 0 } });
  const providers: Providers = new Map([
    ["raksmeypay", createRaksmeyPayProvider({ baseUrl: raksmey.url, qrTemplate: 2, ...RAKSMEY }, { log: silentLog })],
    ["ahnajak", createAhnajakProvider({ baseUrl: ahnajak.url, ...AHNAJAK }, { log: silentLog })],
    ["payway", createPayWayProvider(PAYWAY, { log: silentLog, merchantName: "Cases Shop", merchantCity: "Phnom Penh" })],
  ]);
  const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" });
  const core = await startCore({ database, providers, panel, poller: false });
  raksmey.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);
  ahnajak.setWebhookUrl(`${core.url}/webhooks/ahnajak`);
  payway.setWebhookUrl(`${core.url}/webhooks/payway/${PAYWAY.webhookToken}`);

  const config = loadConfig({
    BOT_TOKEN: token, TELEGRAM_API_ROOT: fake.url, ADMIN_IDS: "1", ADMIN_CHAT_ID: String(ADMIN_CHAT),
    BAKONG_TOKEN: "t", BAKONG_ACCOUNT_ID: "merchant@aclb", PANEL_URL: panelSim.url, PANEL_API_KEY: PANEL_KEY, MERCHANT_NAME: "Cases Shop",
  });
  const api = new Api(token, { apiRoot: fake.url });
  const notifier = createNotifier(
    { database, wakeup: core.wakeup, deliver: createDelivery(api, { database, panel, config, log: silentLog }), log: silentLog },
    { sweepMs: 100, leaseMs: 30_000, batch: 50 },
  );
  notifier.start();
  const lookup = createLookup({ database });
  let users = 0;
  const texts = (chatId: number) => driver.messagesIn(chatId).map((m) => m.text ?? m.caption ?? "");

  return {
    core, raksmey, ahnajak, payway, panelSim, lookup, texts, webhookUrl: core.url,
    /** A top-up of its own user (one open top-up per user), whose notes go to the customer chat. */
    async topUp(provider: "raksmeypay" | "ahnajak" | "payway", amountMinor: number) {
      const user = await database.db.user.create({ data: { telegramId: BigInt(CUSTOMER_CHAT) * 1000n + BigInt(++users), panelLogin: "sok", language: "en" } });
      const started = await core.topUps.start({ userId: user.id, chatId: BigInt(CUSTOMER_CHAT), amountMinor, provider });
      if (!started.ok) throw new Error(started.reason);
      return { order: started.topUp, payment: started.payment };
    },
    /** The first admin note containing every one of `needles`, once sent. */
    adminSaid: (...needles: string[]) => eventually(async () => texts(ADMIN_CHAT).find((t) => needles.every((n) => t.includes(n))), `admin note with ${needles.join(" & ")}`),
    customerSaid: (...needles: string[]) => eventually(async () => texts(CUSTOMER_CHAT).find((t) => needles.every((n) => t.includes(n))), `customer note with ${needles.join(" & ")}`),
    panelCreditsFor: (reference: string) => panelSim.payments.filter((p) => p.memo.includes(reference)),
    async stop() {
      await notifier.stop();
      await core.stop();
      await Promise.all([raksmey.close(), ahnajak.close(), payway.close(), panelSim.close(), fake.close()]);
    },
  };
}

export type ProviderKit = Awaited<ReturnType<typeof startProviderKit>>;
