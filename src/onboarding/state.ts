import type { Locale } from "../bot/i18n.js";
import type { ProviderName } from "../config/config.js";

/** The questions, in order; `provider_credentials` is asked once per chosen provider. */
export const STEPS = ["bot_token", "panel_type", "panel_url", "panel_key", "payment_method", "providers", "provider_credentials", "admin_chat", "shop_name", "confirm"] as const;
export type OnboardingStep = (typeof STEPS)[number];

/**
 * An onboarding in progress: JSON, kept by the operator bot in its conversation storage between messages.
 * Holds only answers that passed their checks; secret ones sealed (draft-secrets.ts).
 */
export interface OnboardingState {
  step: OnboardingStep;
  locale: Locale;
  /** The merchant's Telegram id: their shop's ADMIN_IDS, and what the sealed answers are bound to. */
  userId: number;
  /** The merchant's variables answered so far; a secret one sealed. */
  vars: Record<string, string>;
  /** The bot getMe found at the token step. */
  bot?: { id: number; username: string };
  providers: ProviderName[];
  /** Which of `providers` the provider_credentials step asks about. */
  providerIndex: number;
}
