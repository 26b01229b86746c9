import { randomBytes } from "node:crypto";
import type { Env } from "../../src/config/reader.js";
import { openLedgerDatabase } from "../../src/ledger/hot-path.js";
import type { MasterKey } from "../../src/platform/master-key.js";
import { newMerchantKeys } from "../../src/platform/merchant-keys.js";
import { createMerchantStore } from "../../src/platform/merchant-store.js";
import { readMasterKey } from "../../src/platform/master-key.js";

/** A stored platform merchant as a benchmark drives it: its addresses' key and its bot's secret_token. */
export interface SeededMerchant {
  id: number;
  routeKey: string;
  webhookSecret: string;
  botId: number;
}

export function newMasterKey(): { env: string; key: MasterKey } {
  const env = randomBytes(32).toString("base64");
  return { env, key: readMasterKey({ MASTER_KEY: env }) };
}

/** A made-up bot id for merchant i (digits only, as Telegram's). */
export const benchBotId = (i: number) => 8_100_000_000 + i;

/** Merchant i's variables: its own bot and admin, RaksmeyPay and PerfectPanel at the given addresses (shared by all). */
export function benchMerchantVars(i: number, at: { panelUrl: string; panelApiKey?: string; raksmeypay: { url: string; profileId: string; profileKey: string; webhookApiKey: string } }): Env {
  return {
    BOT_TOKEN: `${benchBotId(i)}:${`BENCH-merchant-${i}-token`.padEnd(35, "0")}`, ADMIN_IDS: String(900_000_000 + i), MERCHANT_NAME: `Shop ${i}`, TOPUP_CURRENCY: "USD",
    PAYMENT_PROVIDERS: "raksmeypay", RAKSMEYPAY_BASE_URL: at.raksmeypay.url, RAKSMEYPAY_PROFILE_ID: at.raksmeypay.profileId, RAKSMEYPAY_PROFILE_KEY: at.raksmeypay.profileKey,
    RAKSMEYPAY_WEBHOOK_API_KEY: at.raksmeypay.webhookApiKey,
    PANEL_TYPE: "perfectpanel", PANEL_URL: at.panelUrl, PANEL_API_KEY: at.panelApiKey ?? "bench-panel-key", PANEL_PAYMENT_METHOD: "KHQR",
  };
}

/**
 * Stores `count` merchants through the merchant store (secrets sealed under `master`, getMe stored), as `merchant add`
 * would without calling Telegram: the benchmarks' platforms start from them.
 */
export async function seedMerchants(databaseUrl: string, master: MasterKey, count: number, vars: (i: number) => Env): Promise<SeededMerchant[]> {
  const database = await openLedgerDatabase(databaseUrl);
  try {
    const store = createMerchantStore(database);
    const seeded: SeededMerchant[] = [];
    for (let i = 0; i < count; i++) {
      const keys = newMerchantKeys();
      const botId = benchBotId(i);
      const info = JSON.stringify({ id: botId, is_bot: true, first_name: `Shop ${i}`, username: `shop_${i}_bot`, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      const m = await store.add({ name: `shop-${i}`, vars: vars(i), bot: { id: botId, username: `shop_${i}_bot`, info }, ...keys }, master);
      seeded.push({ id: m.id, routeKey: keys.routeKey, webhookSecret: keys.webhookSecret, botId });
    }
    return seeded;
  } finally {
    await database.close();
  }
}
