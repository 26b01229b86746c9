import { createAdminService } from "../admin/create-admin-service.js";
import type { AdminService } from "../admin/admin-service.js";
import { parsePeriod } from "../admin/period.js";
import type { Config } from "../config/config.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Logger } from "../logger.js";
import { forMerchant, type MerchantDatabase } from "../db/merchant-scope.js";
import type { CreditMerchant } from "../jobs/crediter.js";
import type { PollMerchant } from "../jobs/poller.js";
import type { BonusPolicy } from "../ledger/bonus-credit.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { LedgerDeps } from "../ledger/record-payment.js";
import { createOutageTracker, type OutageTracker } from "../notify/outages.js";
import { createPanelClient } from "../panel/create-panel-client.js";
import type { PanelTimeouts } from "../panel/panel-call.js";
import type { PanelClient } from "../panel/panel-client.js";
import { createProviders } from "../payments/providers/create-providers.js";
import { createTopUpService, type Providers, type TopUpService } from "../payments/topups.js";
import type { WebhookDeps } from "../server/webhooks.js";
import { heldWhileUsed, type HeldWhileUsed } from "./held-while-used.js";
import type { Shared } from "./shared.js";

/** A merchant's admin service is let go after this long unused (admins' commands are seldom; it weighs ~17 KB). */
const ADMIN_IDLE_MS = 10 * 60_000;

/** The admin service, built on an admin's first command and let go after ADMIN_IDLE_MS; it keeps nothing between calls. */
function adminOnDemand(held: HeldWhileUsed<AdminService>): AdminService {
  return {
    planRefund: (reference, amountMinor) => held.use((a) => a.planRefund(reference, amountMinor)),
    refund: (input) => held.use((a) => a.refund(input)),
    refundAnyway: (input) => held.use((a) => a.refundAnyway(input)),
    pendingRefunds: (reference) => held.use((a) => a.pendingRefunds(reference)),
    confirmReturned: (input) => held.use((a) => a.confirmReturned(input)),
    parsePeriod,
    report: (period) => held.use((a) => a.report(period)),
    reportCsv: (period) => held.get().reportCsv(period),
    reportChartPng: (report) => held.use((a) => a.reportChartPng(report)),
    find: (query) => held.use((a) => a.find(query)),
    pending: () => held.use((a) => a.pending()),
    recredit: (input) => held.use((a) => a.recredit(input)),
    releaseHeld: (input) => held.use((a) => a.releaseHeld(input)),
    manualCredit: (input) => held.use((a) => a.manualCredit(input)),
  };
}

/** One merchant to serve: the environment's (id 1), or one of a platform's stored merchants. */
export interface MerchantSpec {
  id: number;
  config: Config;
  /** A platform merchant's key in its webhook addresses; the environment merchant has none (/telegram, /webhooks/<provider>). */
  routeKey?: string;
}

/** What one merchant's money path needs: its providers, panel, admins, ledger and top-ups; nothing of its bot. */
export interface MerchantServices extends CreditMerchant, PollMerchant {
  id: number;
  routeKey?: string;
  config: Config;
  /** The merchant's view of the database: its rows only. */
  database: LedgerDatabase & MerchantDatabase;
  providers: Providers;
  panel: PanelClient;
  admin: AdminService;
  /** Admin chats (ADMIN_CHAT_ID, else every admin) that receive notes. */
  adminChats: bigint[];
  ledger: LedgerDeps;
  topUps: TopUpService;
  outages: OutageTracker;
  bonus: BonusPolicy;
  webhooks: WebhookDeps;
}

/** What crediting one merchant takes: its panel client, admin chats, deposit bonus and panel-outage tracker. */
export interface CreditParts extends CreditMerchant {
  adminChats: bigint[];
  bonus: BonusPolicy;
}

/**
 * One merchant's credit parts, built the same way for its services (the main thread) and for the crediting thread
 * (src/crediting/worker.ts), each over its own connection.
 */
export function createCreditParts(
  deps: { database: LedgerDatabase; wakeup: Wakeup; log: Logger },
  spec: MerchantSpec,
  opts: { panelTimeouts?: Partial<PanelTimeouts> } = {},
): CreditParts {
  const { config, id } = spec;
  const { log, wakeup } = deps;
  const panel = createPanelClient(config.panel, { log, maxConnections: config.crediter.panelMaxConnections, ...(opts.panelTimeouts ? { timeouts: opts.panelTimeouts } : {}) });
  const adminChats = (config.bot.adminChatId !== undefined ? [config.bot.adminChatId] : config.bot.adminIds).map(BigInt);
  const bonus: BonusPolicy = { tiers: config.topup.bonus, khrPerUsd: config.topup.khrPerUsd };
  const outages = createOutageTracker({ db: deps.database.db, merchantId: id, adminChats, log, onChange: () => wakeup.notify("notifications") });
  return { panel, adminChats, bonus, outages };
}

/**
 * Builds one merchant's services over the shared database: the one builder behind a single shop, a platform's every
 * merchant and the operator CLI. Nothing here calls an outside party: a configuration without credentials (the
 * CLI's database-only commands) builds too, and only what needs the panel or a provider reaches it.
 */
export function createMerchantServices(shared: Shared, spec: MerchantSpec, opts: { panelTimeouts?: Partial<PanelTimeouts> } = {}): MerchantServices {
  const { config, id, routeKey } = spec;
  const { log, metrics, wakeup } = shared;
  const database = forMerchant(shared.database, id);
  const providers = createProviders(config, { log, publicUrl: config.bot.publicUrl, routeKey });
  const { panel, adminChats, bonus, outages } = createCreditParts({ database: shared.database, wakeup, log }, spec, opts);
  const ledger: LedgerDeps = { merchantId: id, database: shared.database, wakeup, log, metrics, panelCurrency: config.panel.currency, khrPerUsd: config.topup.khrPerUsd, adminChats };
  const topUps = createTopUpService({ database, providers, ledger, topup: config.topup, metrics, log });
  const admin = adminOnDemand(heldWhileUsed(() => createAdminService({
    database,
    adminChats,
    providers,
    panel,
    wakeup,
    topUpCurrency: config.topup.currency,
    panelCurrency: config.panel.currency,
    khrPerUsd: config.topup.khrPerUsd,
    bonus,
    log,
  }), ADMIN_IDLE_MS));
  const webhooks: WebhookDeps = { database: shared.database, providers, ledger, topUps, metrics, log };
  return { id, routeKey, config, database, providers, panel, admin, adminChats, ledger, topUps, outages, bonus, webhooks };
}
