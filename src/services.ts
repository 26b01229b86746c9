import type { AdminService } from "./admin/admin-service.js";
import type { Config } from "./config/config.js";
import type { OpenOptions } from "./db/database.js";
import { DEFAULT_MERCHANT_ID, type MerchantDatabase } from "./db/merchant-scope.js";
import type { Wakeup } from "./db/wakeup.js";
import type { LedgerDatabase } from "./ledger/hot-path.js";
import type { Logger } from "./logger.js";
import { createMerchantServices } from "./merchants/merchant-services.js";
import { openShared } from "./merchants/shared.js";
import { createMetrics } from "./metrics.js";
import type { PanelTimeouts } from "./panel/panel-call.js";
import type { PanelClient } from "./panel/panel-client.js";
import type { Providers } from "./payments/topups.js";

/** What the operator CLI's commands act on: one merchant's services, built as the running bot builds them (src/merchants/). */
export interface Services {
  /** Every merchant's rows. */
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
 * Opens the database (applying migrations, unless `existing`) and builds one merchant's services over it
 * (src/merchants/merchant-services.ts): nothing calls an outside party until a command needs the panel or a provider.
 */
export async function openServices(config: Config, opts: ServicesOptions): Promise<Services> {
  const shared = await openShared(config.runtime, { log: opts.log, metrics: createMetrics(), existing: opts.existing });
  const m = createMerchantServices(shared, { id: opts.merchantId ?? DEFAULT_MERCHANT_ID, config }, opts.panelTimeouts ? { panelTimeouts: opts.panelTimeouts } : {});
  return {
    database: shared.database, merchant: m.database, wakeup: shared.wakeup, providers: m.providers, panel: m.panel, admin: m.admin, adminChats: m.adminChats,
    close: () => shared.close(),
  };
}
