import { ahnajakConfig } from "../../../config/providers/ahnajak.js";
import { describeProvider } from "../../provider-descriptor.js";
import { createAhnajakProvider } from "./ahnajak.js";

export const ahnajak = describeProvider({
  config: ahnajakConfig,
  // Its checkout page is already the phone path.
  deepLinkSource: "none",
  webhookRoute: "/ahnajak",
  simulator: "ahnajak-simulator",
  create: (config, { log }) => createAhnajakProvider(config, { log }),
});
