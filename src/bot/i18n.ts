import { I18n } from "@grammyjs/i18n";
import { fileURLToPath } from "node:url";
import type { BotContext } from "./context.js";

export const LOCALES = ["en", "km"] as const;
export type Locale = (typeof LOCALES)[number];

export type TranslationVars = Record<string, string | number>;
export type Translate = (key: string, vars?: TranslationVars) => string;

const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** The language the user chose, else Khmer for a Khmer Telegram app, else English. */
export function negotiateLocale(ctx: Pick<BotContext, "from"> & { session?: { language?: Locale } }): Locale {
  const chosen = ctx.session?.language;
  if (isLocale(chosen)) return chosen;
  return ctx.from?.language_code?.toLowerCase().startsWith("km") ? "km" : "en";
}

let shared: I18n<BotContext> | undefined;

/** One Fluent instance per process: the bot and the notification delivery share it. */
export function botI18n(): I18n<BotContext> {
  shared ??= new I18n<BotContext>({
    defaultLocale: "en",
    directory: LOCALES_DIR,
    useSession: true,
    localeNegotiator: (ctx) => negotiateLocale(ctx),
    // Fluent wraps variables in invisible isolation marks by default; they would end up in copied references.
    fluentBundleOptions: { useIsolating: false },
  });
  return shared;
}

export function translator(locale: string): Translate {
  const i18n = botI18n();
  return (key, vars) => i18n.t(locale, key, vars);
}
