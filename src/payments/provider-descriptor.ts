import type { Config, ProviderName, ProvidersConfig } from "../config/config.js";
import type { ProviderConfigDescriptor } from "../config/provider-config.js";
import type { Logger } from "../logger.js";
import type { PaymentProvider } from "./provider.js";

/** What an adapter may need besides its own configuration. */
export interface ProviderContext {
  /** Already bound to `{ provider: <name> }`. */
  log: Logger;
  topup: Pick<Config["topup"], "currency" | "merchantName" | "merchantCity">;
  /** PUBLIC_URL + /webhooks + the provider's route, when both are known and the route has no parameter. */
  webhookUrl?: string;
}

/**
 * Where an "Open in bank app" link comes from: the provider's own answer (CreatedPayment.deepLink), Bakong's
 * generate_deeplink_by_qr for the card's KHQR string when Bakong credentials are configured, or nowhere.
 */
export type DeepLinkSource = "provider" | "bakong" | "none";

/** Everything the program knows about one provider; `providers/index.ts` lists them all. */
export interface ProviderDescriptor<N extends ProviderName = ProviderName> {
  name: N;
  /** Its variables (which are secret, which are required together) and how they are read: from `src/config/providers/`. */
  config: ProviderConfigDescriptor<N, NonNullable<ProvidersConfig[N]>>;
  deepLinkSource: DeepLinkSource;
  /** Its webhook's path under /webhooks (a `:token` segment is handed to verifyWebhook as pathToken); none: it is polled only. */
  webhookRoute?: string;
  /** Its simulator in the sandbox (`sandbox/providers/<simulator>.ts`); a name only, as src/ imports nothing of the sandbox. */
  simulator: string;
  /** The adapter, when the provider is configured. */
  create(providers: ProvidersConfig, context: ProviderContext): PaymentProvider | undefined;
}

/** A descriptor from the adapter's factory over its own typed configuration. */
export function describeProvider<N extends ProviderName>(d: Omit<ProviderDescriptor<N>, "name" | "create"> & {
  create(config: NonNullable<ProvidersConfig[N]>, context: ProviderContext): PaymentProvider;
}): ProviderDescriptor<N> {
  return {
    ...d,
    name: d.config.name,
    create: (providers, context) => {
      const own = providers[d.config.name] as ProvidersConfig[N];
      return own === undefined ? undefined : d.create(own, context);
    },
  };
}
