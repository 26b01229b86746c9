import type { Config, ProviderName } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import type { PaymentProvider } from "../provider.js";
import type { Providers } from "../topups.js";
import { PROVIDERS } from "./index.js";

/** One adapter per enabled provider; nothing outside the descriptors branches on a provider's name. */
export function createProviders(config: Config, deps: { log: Logger; publicUrl?: string }): Providers {
  const providers = new Map<ProviderName, PaymentProvider>();
  for (const d of PROVIDERS) {
    if (!config.providers.enabled.includes(d.name)) continue;
    const route = d.webhookRoute;
    const webhookUrl = deps.publicUrl && route && !route.includes(":") ? `${deps.publicUrl}/webhooks${route}` : undefined;
    const provider = d.create(config.providers, { log: deps.log.child({ provider: d.name }), topup: config.topup, webhookUrl });
    if (provider) providers.set(d.name, provider);
  }
  return providers;
}
