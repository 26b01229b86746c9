import { raksmeypayConfig } from "../../../config/providers/raksmeypay.js";
import { describeProvider } from "../../provider-descriptor.js";
import { createRaksmeyPayProvider } from "./raksmeypay.js";

export const raksmeypay = describeProvider({
  config: raksmeypayConfig,
  deepLinkSource: "bakong",
  webhookRoute: "/raksmeypay",
  simulator: "raksmeypay-simulator",
  create: (config, { log, topup }) => createRaksmeyPayProvider(config, { log, currency: topup.currency }),
});
