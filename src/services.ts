import { createAdminService } from "./admin/create-admin-service.js";
import type { AdminService } from "./admin/admin-service.js";
import type { Config } from "./config/config.js";
import type { OpenOptions } from "./db/database.js";
import { DEFAULT_MERCHANT_ID, forMerchant, type MerchantDatabase } from "./db/merchant-scope.js";
import { openLedgerDatabase, type LedgerDatabase } from "./ledger/hot-path.js";
import { createLocalWakeup, createPgWakeup, type Wakeup } from "./db/wakeup.js";
import type { Logger } from "./logger.js";
import type { PanelTimeouts } from "./panel/panel-call.js";
import type { PanelClient } from "./panel/panel-client.js";
import { createPanelClient } from "./panel/create-panel-client.js";
import { createProviders } from "./payments/providers/create-providers.js";
import type { Providers } from "./payments/topups.js";

/** What the admin commands act on, built the same way for the running bot (src/main.ts) and the operator CLI. */
export interface Services {
  /** Every merchant's rows: what the global workers (crediter, poller, notifier, retention) and the hot path use. */
  database: LedgerDatabase;
  /** The merchant the admin service acts for, as it sees the database: its rows only. */
  merchant: LedgerDatabase & MerchantDatabase;
  wakeup: Wakeup;
  providers: Providers;
  panel: PanelClient;
  admin: AdminService;
  /** Admin chats (ADMIN_CHAT_ID, else every admin) that receive notes. */
  adminChats: bigint[];
  close(): Promise<void>;
}

export interface ServicesOptions {
  log: Logger;
  /** The merchant the admin service acts for (the CLI's `--merchant`); the environment merchant by default. */
  merchantId?: number;
  /** The operator CLI opens only an existing, migrated database (see OpenOptions.existing). */
  existing?: OpenOptions["existing"];
  panelTimeouts?: Partial<PanelTimeouts>;
}

/**
 * Opens the database (applying migrations, unless `existing`) and builds the providers, the panel client and the admin
 * service. Nothing here calls an outside party: a configuration without credentials (the CLI's
 * database-only commands) builds too, and only a command that needs the panel or a provider reaches it.
 * On PostgreSQL the wake-up reaches every running instance's workers.
 */
export async function openServices(config: Config, opts: ServicesOptions): Promise<Services> {
  const { log } = opts;
  const database = await openLedgerDatabase(config.runtime.databaseUrl, {
    existing: opts.existing,
    onPoolError: (err) => log.warn({ err }, "a PostgreSQL connection failed; the pool replaces it"),
    onCheckpointError: (err) => log.warn({ err }, "a SQLite checkpoint failed; the next one tries again"),
  });
  const wakeup = database.pgPool ? await createPgWakeup(database.pgPool, log) : createLocalWakeup();
  const providers = createProviders(config, { log, publicUrl: config.bot.publicUrl });
  const panel = createPanelClient(config.panel, { log, maxConnections: config.crediter.panelMaxConnections, ...(opts.panelTimeouts ? { timeouts: opts.panelTimeouts } : {}) });
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  const merchant = forMerchant(database, opts.merchantId ?? DEFAULT_MERCHANT_ID);
  const admin = createAdminService({
    database: merchant,
    adminChats,
    providers,
    panel,
    wakeup,
    topUpCurrency: config.topup.currency,
    panelCurrency: config.panel.currency,
    khrPerUsd: config.topup.khrPerUsd,
    bonus: { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd },
    log,
  });
  return {
    database,
    merchant,
    wakeup,
    providers,
    panel,
    admin,
    adminChats,
    async close() {
      await wakeup.close();
      // A wake-up's NOTIFY is sent without being awaited. The pool serves queries in order, so one more
      // query through it lets that NOTIFY out before the pool ends, and a running instance hears it.
      await database.pgPool?.query("SELECT 1").catch(() => undefined);
      await database.close();
    },
  };
}
