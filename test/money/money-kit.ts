import { randomBytes } from "node:crypto";
import { createLookup } from "../../src/admin/lookup.js";
import { createAdminCredits } from "../../src/admin/credits.js";
import type { Config } from "../../src/config/config.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createPayWayProvider } from "../../src/payments/providers/payway/payway.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startPayWaySimulator } from "../../sandbox/providers/payway-simulator.js";
import { startRaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { startNotesSide } from "./notes-side.js";
import { silentLog, startCore, TEST_TOPUP } from "../support/core.js";
import type { TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export { ADMIN_CHAT } from "./notes-side.js";
export const CUSTOMER_CHAT = 5_001;
const PANEL_KEY = "panel-key-money";
const RAKSMEY = { profileId: "p-money", profileKey: "k-money", webhookApiKey: "w-money" };
const PAYWAY = {
  bakongId: "abaakhppxxx@abaa", merchantId: "125021214532846", acquiringBank: "ABA Bank",
  data: "0010PAYWAY@ABA0208104514230604A227", mcc: "5987", webhookToken: randomBytes(24).toString("hex"),
};

/**
 * The money path end to end over loopback: PayWay (unsigned) and RaksmeyPay (signed) simulators,
 * the panel simulator, the core (webhooks, ledger, crediter) and the notifier delivering to a fake
 * Telegram, so a test sees the admin and customer notes as sent.
 */
export async function startMoneyKit(database: TestDatabase, opts: { notifier?: boolean; topup?: Partial<Config["topup"]> } = {}) {
  const payway = await startPayWaySimulator();
  const raksmey = await startRaksmeyPaySimulator({ ...RAKSMEY, merchantName: "Money Shop" });
  const panelSim = await startPerfectPanelSimulator({ apiKey: PANEL_KEY, users: { dara: 0 } });
  const providers: Providers = new Map([
    ["payway", createPayWayProvider(PAYWAY, { log: silentLog, merchantName: "Money Shop", merchantCity: "Phnom Penh" })],
    ["raksmeypay", createRaksmeyPayProvider({ baseUrl: raksmey.url, qrTemplate: 2, ...RAKSMEY }, { log: silentLog })],
  ]);
  const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: PANEL_KEY, paymentMethod: "KHQR", currency: "USD" });
  const core = await startCore({ database, providers, panel, poller: false, ...(opts.topup ? { topup: opts.topup } : {}) });
  payway.setWebhookUrl(`${core.url}/webhooks/payway/${PAYWAY.webhookToken}`);
  raksmey.setWebhookUrl(`${core.url}/webhooks/raksmeypay`);

  const notes = await startNotesSide({
    database, wakeup: core.wakeup, panel, panelUrl: panelSim.url, panelKey: PANEL_KEY, shop: "Money Shop",
    customer: { id: CUSTOMER_CHAT, first_name: "Dara" }, start: opts.notifier !== false,
  });
  const lookup = createLookup({ database: forMerchant(database, DEFAULT_MERCHANT_ID) });
  const adminCredits = createAdminCredits({
    database: forMerchant(database, DEFAULT_MERCHANT_ID), panel, wakeup: core.wakeup, panelCurrency: "USD", adminChats: core.ledger.adminChats, log: silentLog,
    ...(opts.topup?.bonus ? { bonus: { tiers: opts.topup.bonus, khrPerUsd: opts.topup.khrPerUsd ?? TEST_TOPUP.khrPerUsd } } : {}),
  });

  const user = await database.db.user.create({ data: { telegramId: BigInt(CUSTOMER_CHAT), panelLogin: "dara", language: "en" } });

  return {
    core, payway, raksmey, panelSim, driver: notes.driver, notifier: notes.notifier, lookup, adminCredits, userId: user.id, texts: notes.texts,
    async stop() {
      await notes.stop();
      await core.stop();
      await Promise.all([payway.close(), raksmey.close(), panelSim.close()]);
    },
  };
}

export type MoneyKit = Awaited<ReturnType<typeof startMoneyKit>>;
