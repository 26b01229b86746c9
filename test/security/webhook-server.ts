import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config/config.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics, type Metrics } from "../../src/metrics.js";
import type { LedgerDeps } from "../../src/ledger/record-payment.js";
import { createProviders } from "../../src/payments/providers/create-providers.js";
import { createTopUpService } from "../../src/payments/topups.js";
import { createHttpApp } from "../../src/server/app.js";
import { DEFAULT_HTTP_LIMITS, serveWithLimits, type HttpLimits } from "../../src/server/http-limits.js";
import type { Logger } from "../../src/logger.js";
import { silentLog } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { fakeBotToken } from "../support/bot-token.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

export const PAYWAY_TOKEN = "sec-payway-path-token-0123456789abcdef";
const NOWHERE = "http://127.0.0.1:9";

/**
 * The program's HTTP surface as main.ts builds it: every provider configured (their APIs point at a
 * closed port, so nothing here may call out), a real SQLite file, served by serveWithLimits on loopback.
 */
export async function startWebhookServer(limits: Partial<HttpLimits> = {}, log: Logger = silentLog): Promise<{
  url: string;
  port: number;
  server: Server;
  metrics: Metrics;
  database: TestDatabase;
  close(): Promise<void>;
}> {
  const config = loadConfig({
    BOT_TOKEN: fakeBotToken(1, "sec"), ADMIN_IDS: "1", MERCHANT_NAME: "Security Shop", PANEL_URL: NOWHERE, PANEL_API_KEY: "sec-panel-key",
    RAKSMEYPAY_BASE_URL: NOWHERE, RAKSMEYPAY_PROFILE_ID: "sec-profile", RAKSMEYPAY_PROFILE_KEY: "sec-profile-key", RAKSMEYPAY_WEBHOOK_API_KEY: "sec-webhook-key",
    KESS_BASE_URL: NOWHERE, KESS_CLIENT_ID: "c", KESS_CLIENT_SECRET: "cs", KESS_USERNAME: "u", KESS_PASSWORD: "p", KESS_SELLER_CODE: "s", KESS_API_SECRET: "sec-kess-api",
    AHNAJAK_BASE_URL: NOWHERE, AHNAJAK_PROFILE_ID: "sec-ahnajak", AHNAJAK_SECRET_KEY: "sec-ahnajak-secret",
    PAYWAY_BAKONG_ID: "abaakhppxxx@abaa", PAYWAY_MERCHANT_ID: "125021214532846", PAYWAY_DATA: "0010PAYWAY@ABA0208104514230604A227", PAYWAY_WEBHOOK_TOKEN: PAYWAY_TOKEN,
    BAKONG_API_URL: NOWHERE, BAKONG_TOKEN: "sec-bakong-token", BAKONG_ACCOUNT_ID: "sec_shop@aclb",
  });
  const database = await freshSqlite();
  const metrics = createMetrics();
  const providers = createProviders(config, { log });
  const ledger: LedgerDeps = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log, metrics, panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
  const topUps = createTopUpService({ database: forMerchant(database, DEFAULT_MERCHANT_ID), providers, ledger, topup: config.topup, metrics, log });
  const app = createHttpApp({ shop: { database, providers, ledger, topUps, metrics, log }, metrics, log, ready: async () => ({ ok: true, checks: {} }) });
  const server = serveWithLimits({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, { ...DEFAULT_HTTP_LIMITS, ...limits });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    metrics,
    database,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.drop();
    },
  };
}
