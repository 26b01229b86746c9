import type { Context, SessionFlavor } from "grammy";
import type { PlatformReporter } from "../admin/platform-report.js";
import type { Translate } from "../bot/i18n.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { Onboarding } from "../onboarding/flow.js";
import type { OnboardingState } from "../onboarding/state.js";
import type { MerchantAdmin } from "../platform/add-merchant.js";

/** What the operators' bot keeps per chat between updates (JSON): a merchant's onboarding in progress. */
export interface OperatorSession {
  onboarding?: OnboardingState;
}

/** An update to the operators' bot, with its texts in the sender's language (locales/*.ftl, `operator-*`). */
export type OperatorContext = Context & { t: Translate } & SessionFlavor<OperatorSession>;

/** What the operators' bot's features work with. */
export interface OperatorDeps {
  /** PLATFORM_ADMIN_IDS. */
  operatorIds: readonly number[];
  platformReport: PlatformReporter;
  /** The merchant store and the platform's settings: onboarding, approval, /myshop. */
  admin: MerchantAdmin;
  onboarding: Onboarding;
  /** The audit log of a merchant's own /pause and /resume. */
  database: Database;
  log: Logger;
}
