import { paywayConfig } from "../../../config/providers/payway.js";
import { describeProvider } from "../../provider-descriptor.js";
import { createPayWayProvider } from "./payway.js";

export const payway = describeProvider({
  config: paywayConfig,
  deepLinkSource: "bakong",
  // Unsigned notifications: the secret token in the path is their only protection.
  webhookRoute: "/payway/:token",
  simulator: "payway-simulator",
  create: (config, { log, topup }) => createPayWayProvider(config, { log, currency: topup.currency, merchantName: topup.merchantName, merchantCity: topup.merchantCity }),
});
