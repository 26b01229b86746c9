import type { UserFromGetMe } from "grammy/types";
import type { AdminService } from "../admin/admin-service.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { PanelClient } from "../panel/panel-client.js";
import type { TopUpService } from "../payments/topups.js";
import type { RenderCard } from "./payment-card.js";
import type { BotStorage } from "./storage.js";

export interface BotDeps {
  config: Config;
  database: Database;
  topUps: TopUpService;
  panel: PanelClient;
  admin: AdminService;
  renderCard: RenderCard;
  log: Logger;
  metrics: Metrics;
  storage: BotStorage;
  /** Skips getMe at start (tests, or a root that already knows the bot). */
  botInfo?: UserFromGetMe;
}
