import type { Config, ProviderName } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import type { PaymentProvider } from "../provider.js";
import type { Providers } from "../topups.js";
import { PROVIDERS } from "./index.js";

/**
 * A provider's webhook route (`/<provider>…`, under /webhooks) for one merchant of a platform: its route key
 * after the provider's name, `/<provider>/<routeKey>…`. Without a key (a single shop) the route itself.
 */
export function merchantWebhookRoute(route: string, routeKey: string | undefined): string {
  if (routeKey === undefined) return route;
  const [, name, rest] = /^(\/[^/]+)(.*)$/.exec(route)!;
  return `${name}/${routeKey}${rest}`;
}

/**
 * One adapter per enabled provider; nothing outside the descriptors branches on a provider's name. A platform's
 * merchant (`routeKey`) gives its providers its own webhook addresses (KESS's notify_url).
 */
export function createProviders(config: Pick<Config, "providers" | "topup">, deps: { log: Logger; publicUrl?: string; routeKey?: string }): Providers {
  const providers = new Map<ProviderName, PaymentProvider>();
  for (const d of PROVIDERS) {
    if (!config.providers.enabled.includes(d.name)) continue;
    const route = d.webhookRoute;
    const webhookUrl = deps.publicUrl && route && !route.includes(":") ? `${deps.publicUrl}/webhooks${merchantWebhookRoute(route, deps.routeKey)}` : undefined;
    const provider = d.create(config.providers, { log: deps.log.child({ provider: d.name }), topup: config.topup, webhookUrl });
    if (provider) providers.set(d.name, provider);
  }
  return providers;
}
