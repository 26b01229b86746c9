import type { Config } from "../config/config.js";
import { outboundPool } from "../http/outbound.js";
import type { Logger } from "../logger.js";
import type { PanelTimeouts } from "./panel-call.js";
import type { PanelClient } from "./panel-client.js";
import { PANELS } from "./panel-descriptors.js";
import type { SocPanelAmountFormat } from "./socpanel-api.js";

export interface CreatePanelClientOptions {
  log?: Logger;
  /** SocPanel only: how `amount` is written (default "decimal", 2 places). */
  amountFormat?: SocPanelAmountFormat;
  /** Defaults: reads 10 s, credits and debits 20 s. */
  timeouts?: Partial<PanelTimeouts>;
  /** At most this many connections to the panel at once (PANEL_MAX_CONNECTIONS); default: the shared pool. */
  maxConnections?: number;
}

/** The client for the configured panel. PANEL_URL is the panel's base address; each client adds its own paths. */
export function createPanelClient(panel: Config["panel"], opts: CreatePanelClientOptions = {}): PanelClient {
  const pool = opts.maxConnections === undefined ? undefined : outboundPool(opts.maxConnections);
  const common = { url: panel.url, apiKey: panel.apiKey, currency: panel.currency, timeouts: opts.timeouts, log: opts.log, pool };
  return PANELS[panel.type].create(common, panel, opts);
}
