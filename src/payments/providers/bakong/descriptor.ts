import { bakongConfig } from "../../../config/providers/bakong.js";
import { describeProvider } from "../../provider-descriptor.js";
import { createBakongProvider } from "./bakong.js";

export const bakong = describeProvider({
  config: bakongConfig,
  deepLinkSource: "bakong",
  simulator: "bakong-simulator",
  create: (config, { log, topup }) => createBakongProvider(config, { log, merchantName: topup.merchantName, merchantCity: topup.merchantCity }),
});
