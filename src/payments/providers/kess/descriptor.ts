import { kessConfig } from "../../../config/providers/kess.js";
import { describeProvider } from "../../provider-descriptor.js";
import { createKessProvider } from "./kess.js";

export const kess = describeProvider({
  config: kessConfig,
  // nativePay answers with its own deep link.
  deepLinkSource: "provider",
  webhookRoute: "/kess",
  simulator: "kess-simulator",
  create: (config, { log, webhookUrl }) => createKessProvider(config, { log, notifyUrl: webhookUrl }),
});
