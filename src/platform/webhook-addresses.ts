import type { ProviderName } from "../config/config.js";
import { PROVIDERS } from "../payments/providers/index.js";

/** The variable holding a provider's secret path token (PayWay's PAYWAY_WEBHOOK_TOKEN). */
function tokenVariable(d: (typeof PROVIDERS)[number]): string | undefined {
  return Object.keys(d.config.variables).find((name) => name.endsWith("_WEBHOOK_TOKEN"));
}

export interface MerchantWebhookAddresses {
  /** Where Telegram posts the bot's updates (registered with setWebhook). */
  telegram: string;
  /** Each enabled provider that sends webhooks; a polled-only provider has none. */
  providers: Partial<Record<ProviderName, string>>;
}

/**
 * A platform merchant's webhook addresses: `PUBLIC_URL/telegram/<routeKey>` and, per provider,
 * `PUBLIC_URL/webhooks/<provider>/<routeKey>` followed by the rest of its route. A route's `:token` (PayWay's secret
 * path) is shown as the name of the variable holding it: the address is printed, the secret never is.
 */
export function merchantWebhookAddresses(publicUrl: string, routeKey: string, enabled: readonly ProviderName[]): MerchantWebhookAddresses {
  const providers: Partial<Record<ProviderName, string>> = {};
  for (const d of PROVIDERS) {
    if (!d.webhookRoute || !enabled.includes(d.name)) continue;
    const rest = d.webhookRoute.slice(`/${d.name}`.length);
    providers[d.name] = `${publicUrl}/webhooks/${d.name}/${routeKey}${rest.replace(":token", `<${tokenVariable(d) ?? "token"}>`)}`;
  }
  return { telegram: `${publicUrl}/telegram/${routeKey}`, providers };
}

/** The environment merchant's addresses, as a single shop has them: PUBLIC_URL/telegram and PUBLIC_URL/webhooks/<route>. */
export function environmentWebhookAddresses(publicUrl: string, enabled: readonly ProviderName[]): MerchantWebhookAddresses {
  const providers: Partial<Record<ProviderName, string>> = {};
  for (const d of PROVIDERS) {
    if (!d.webhookRoute || !enabled.includes(d.name)) continue;
    providers[d.name] = `${publicUrl}/webhooks${d.webhookRoute.replace(":token", `<${tokenVariable(d) ?? "token"}>`)}`;
  }
  return { telegram: `${publicUrl}/telegram`, providers };
}
