import type { BakongConfig, Config, ProviderName } from "../config/config.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { DeepLinkSource } from "./provider-descriptor.js";
import { generateBakongDeeplink, isHttpsLink } from "./providers/bakong/bakong-deeplink.js";
import { PROVIDERS } from "./providers/index.js";

/** Where each provider's "Open in bank app" link comes from (its descriptor's deepLinkSource). */
const SOURCES = new Map<ProviderName, DeepLinkSource>(PROVIDERS.map((d) => [d.name, d.deepLinkSource]));

/** The fixed label values of khqr_deeplinks_total{outcome}. */
export type DeepLinkOutcome = "ok" | "error" | "timeout" | "none";

export interface DeepLinkInput {
  provider: ProviderName;
  /** The KHQR string shown on the card. */
  qr?: string;
  /** The link the provider returned when the payment was created (CreatedPayment.deepLink). */
  deepLink?: string;
  /** Where the bank app returns the payer: the bot's chat, https://t.me/<bot username>. */
  callbackUrl: string;
}

export interface DeepLinker {
  /** A link that opens the payer's bank app on this payment, or undefined. Never throws; waits at most timeoutMs. */
  linkFor(input: DeepLinkInput): Promise<string | undefined>;
}

/** How a bank app names and shows the bot on a deep link (Bakong `sourceInfo`). */
export interface DeepLinkAppIdentity {
  appName: string;
  appIconUrl: string;
}

export interface DeepLinkerDeps {
  /** Bakong Open API credentials, when configured: they serve deep links for every KHQR provider. */
  bakong?: BakongConfig;
  /**
   * Asked at each link, so it may read the bot's own name once the bot knows it (after getMe):
   * `() => deepLinkApp(config.bot, bot.botInfo)`.
   */
  app: () => DeepLinkAppIdentity;
  log: Logger;
  metrics: Pick<Metrics, "deeplinks">;
  timeoutMs?: number;
  /** Configured secret values (e.g. KESS_API_SECRET): a link that contains one is never shown. The Bakong token always counts. */
  secrets?: readonly (string | undefined)[];
}

export function createDeepLinker(deps: DeepLinkerDeps): DeepLinker {
  const timeoutMs = deps.timeoutMs ?? 1500;
  const log = deps.log.child({ component: "deeplink" });

  function done(provider: ProviderName, outcome: DeepLinkOutcome, link?: string, why?: string): string | undefined {
    deps.metrics.deeplinks.inc({ provider, outcome });
    if (outcome === "error" || outcome === "timeout") log.warn({ provider, outcome, msg: why }, "no Open-in-bank-app link for this top-up");
    return link;
  }

  const secrets = [deps.bakong?.token, ...(deps.secrets ?? [])].filter((s): s is string => typeof s === "string" && s.length >= 4);

  /** A link is only used when Telegram can open it and it carries nothing of our credentials. */
  function usable(link: string): boolean {
    const decoded = safeDecode(link);
    return isHttpsLink(link) && !secrets.some((secret) => link.includes(secret) || decoded.includes(secret));
  }

  async function fromBakong(provider: ProviderName, config: BakongConfig, qr: string, callbackUrl: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const { appName, appIconUrl } = deps.app();
    const source = { appName, appIconUrl, appDeepLinkCallback: callbackUrl };
    try {
      const answer = await Promise.race([generateBakongDeeplink(config, qr, source, timeoutMs, log), deadline]);
      if (answer === "timeout") return done(provider, "timeout", undefined, `Bakong gave no deep link within ${timeoutMs} ms`);
      if (!answer.ok) return done(provider, answer.timedOut ? "timeout" : "error", undefined, answer.message);
      if (!usable(answer.shortLink)) return done(provider, "error", undefined, "Bakong's shortLink is not a plain https link");
      return done(provider, "ok", answer.shortLink);
    } finally {
      clearTimeout(timer);
    }
  }

  async function linkFor(input: DeepLinkInput): Promise<string | undefined> {
    try {
      const source = SOURCES.get(input.provider);
      if (source === "provider") {
        const link = input.deepLink?.trim();
        if (!link) return done(input.provider, "none");
        // A bank-app scheme (abamobilebank://…) would make Telegram refuse the whole card.
        return usable(link) ? done(input.provider, "ok", link) : done(input.provider, "error", undefined, "the provider's deep link is not an https link");
      }
      if (source === "bakong" && deps.bakong && input.qr) return await fromBakong(input.provider, deps.bakong, input.qr, input.callbackUrl);
      return done(input.provider, "none");
    } catch (err) {
      return done(input.provider, "error", undefined, err instanceof Error ? err.message : String(err));
    }
  }

  return { linkFor };
}

function safeDecode(link: string): string {
  try {
    return decodeURIComponent(link);
  } catch {
    return link;
  }
}

/**
 * The app identity a deep link carries, from BOT_APP_NAME / BOT_APP_ICON_URL or else the bot's own
 * Telegram name and profile picture; the callback returns the payer to the bot's chat.
 */
export function deepLinkApp(bot: Pick<Config["bot"], "appName" | "appIconUrl">, me: { first_name: string; username: string }): DeepLinkAppIdentity & { callbackUrl: string } {
  const username = encodeURIComponent(me.username);
  return {
    appName: bot.appName ?? me.first_name,
    appIconUrl: bot.appIconUrl ?? `https://t.me/i/userpic/320/${username}.jpg`,
    callbackUrl: `https://t.me/${username}`,
  };
}
