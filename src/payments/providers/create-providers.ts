import type { Config, ProviderName } from "../../config/config.js";
import type { Logger } from "../../logger.js";
import type { PaymentProvider } from "../provider.js";
import type { Providers } from "../topups.js";
import { createAhnajakProvider } from "./ahnajak.js";
import { createBakongProvider } from "./bakong.js";
import { createKessProvider } from "./kess.js";
import { createPayWayProvider } from "./payway.js";
import { createRaksmeyPayProvider } from "./raksmeypay.js";

/** One adapter per enabled provider; nothing outside this file branches on a provider's name. */
export function createProviders(config: Config, deps: { log: Logger; publicUrl?: string }): Providers {
  const p = config.providers;
  const merchant = { merchantName: config.topup.merchantName, merchantCity: config.topup.merchantCity };
  const log = (name: ProviderName) => deps.log.child({ provider: name });
  const factories: Record<ProviderName, () => PaymentProvider | undefined> = {
    raksmeypay: () => p.raksmeypay && createRaksmeyPayProvider(p.raksmeypay, { log: log("raksmeypay"), currency: config.topup.currency }),
    kess: () => p.kess && createKessProvider(p.kess, { log: log("kess"), notifyUrl: deps.publicUrl && `${deps.publicUrl}/webhooks/kess` }),
    ahnajak: () => p.ahnajak && createAhnajakProvider(p.ahnajak, { log: log("ahnajak") }),
    payway: () => p.payway && createPayWayProvider(p.payway, { log: log("payway"), currency: config.topup.currency, ...merchant }),
    bakong: () => p.bakong && createBakongProvider(p.bakong, { log: log("bakong"), ...merchant }),
  };
  const providers = new Map<ProviderName, PaymentProvider>();
  for (const name of p.enabled) {
    const provider = factories[name]();
    if (provider) providers.set(name, provider);
  }
  return providers;
}
