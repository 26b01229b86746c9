import type { Api } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { AdminNotes } from "../admin/notes.js";
import type { AdminService } from "../admin/admin-service.js";
import type { Config, ProviderName } from "../config/config.js";
import type { Customers } from "../customers/customers.js";
import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { TopUpService } from "../payments/topups.js";
import type { RenderCard } from "./payment-card.js";
import type { BotStorage } from "./storage.js";

/** Installs one bot token's retries and throttling on an Api (bot.ts createSendingRules). */
export type SendingRules = (api: Api) => void;

/** Makes the "Open in bank app" link of a top-up (src/payments/deeplink.ts); undefined when there is none. */
export interface DeepLinker {
  linkFor(input: { provider: ProviderName; qr?: string; deepLink?: string; callbackUrl: string }): Promise<string | undefined>;
}

export interface BotDeps {
  config: Config;
  /** The bot's merchant's view of the database (src/db/merchant-scope.ts), with the ledger's hot path (the customer upsert). */
  database: LedgerDatabase & MerchantDatabase;
  topUps: TopUpService;
  panel: PanelClient;
  admin: AdminService;
  renderCard: RenderCard;
  log: Logger;
  metrics: Metrics;
  storage: BotStorage;
  /** Without it, KHQR cards have no "Open in bank app" button. */
  deepLinks?: DeepLinker;
  /** Skips getMe at start (tests, or a root that already knows the bot). */
  botInfo?: UserFromGetMe;
  /** The token's retries and throttling, when they outlive this bot (bot.ts createSendingRules); new ones by default. */
  sendingRules?: SendingRules;
}

/** What the features get: the dependencies, plus the records createBot builds over the database. */
export interface FeatureDeps extends BotDeps {
  customers: Customers;
  adminNotes: AdminNotes;
}
