import { randomBytes } from "node:crypto";
import { createLookup } from "../../src/admin/lookup.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { createAhnajakProvider } from "../../src/payments/providers/ahnajak/ahnajak.js";
import { createPayWayProvider } from "../../src/payments/providers/payway/payway.js";
import { createRaksmeyPayProvider } from "../../src/payments/providers/raksmeypay/raksmeypay.js";
import type { Providers } from "../../src/payments/topups.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startAhnajakSimulator } from "../../sandbox/providers/ahnajak-simulator.js";
import { startPayWaySimulator } from "../../sandbox/providers/payway-simulator.js";
import { startRaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { eventually, silentLog, startCore } from "../support/core.js";
import { ADMIN_CHAT, startNotesSide } from "./notes-side.js";
import type { TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export { ADMIN_CHAT };
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

  const notes = await startNotesSide({
    database, wakeup: core.wakeup, panel, panelUrl: panelSim.url, panelKey: PANEL_KEY, shop: "Cases Shop", customer: { id: CUSTOMER_CHAT, first_name: "Sok" },
  });
  const lookup = createLookup({ database: forMerchant(database, DEFAULT_MERCHANT_ID) });
  let users = 0;
  const texts = notes.texts;

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
      await notes.stop();
      await core.stop();
      await Promise.all([raksmey.close(), ahnajak.close(), payway.close(), panelSim.close()]);
    },
  };
}

export type ProviderKit = Awaited<ReturnType<typeof startProviderKit>>;
