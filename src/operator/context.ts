import type { Context } from "grammy";
import type { PlatformReporter } from "../admin/platform-report.js";
import type { Translate } from "../bot/i18n.js";
import type { Logger } from "../logger.js";

/** An update to the operators' bot, with its texts in the sender's language (locales/*.ftl, `operator-*`). */
export type OperatorContext = Context & { t: Translate };

/** What the operators' bot's features work with. */
export interface OperatorDeps {
  /** PLATFORM_ADMIN_IDS. */
  operatorIds: readonly number[];
  platformReport: PlatformReporter;
  log: Logger;
}
