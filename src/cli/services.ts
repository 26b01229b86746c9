import { createAdminService } from "../admin/create-admin-service.js";
import type { AdminService } from "../admin/admin-service.js";
import type { Config } from "../config/config.js";
import { openDatabase, type Database } from "../db/database.js";
import { createLocalWakeup, createPgWakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import { createPanelClient } from "../panel/create-panel-client.js";
import { createProviders } from "../payments/providers/create-providers.js";

export interface Services {
  database: Database;
  admin: AdminService;
  close(): Promise<void>;
}

/**
 * The admin service as src/main.ts builds it, without the bot, the HTTP server or the workers.
 * On PostgreSQL the wake-up reaches a running bot's crediter, so a re-credit is applied at once.
 */
export async function openServices(config: Config, log: Logger): Promise<Services> {
  const database = await openDatabase(config.runtime.databaseUrl);
  const wakeup = database.pgPool ? await createPgWakeup(database.pgPool, log) : createLocalWakeup();
  const admin = createAdminService({
    database,
    providers: createProviders(config, { log, publicUrl: config.bot.publicUrl }),
    panel: createPanelClient(config.panel, { log }),
    wakeup,
    topUpCurrency: config.topup.currency,
    panelCurrency: config.panel.currency,
    khrPerUsd: config.topup.khrPerUsd,
    log,
  });
  return {
    database,
    admin,
    async close() {
      await wakeup.close();
      // A wake-up's NOTIFY is sent without being awaited. The pool serves queries in order, so one more
      // query through it lets that NOTIFY out before the pool ends, and a running bot hears it.
      await database.pgPool?.query("SELECT 1");
      await database.close();
    },
  };
}
