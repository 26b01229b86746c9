import { ahnajak } from "./ahnajak/descriptor.js";
import { bakong } from "./bakong/descriptor.js";
import { kess } from "./kess/descriptor.js";
import { payway } from "./payway/descriptor.js";
import { raksmeypay } from "./raksmeypay/descriptor.js";

/** Every provider, one descriptor each (README, "Adding a provider"). */
export const PROVIDERS = [raksmeypay, kess, ahnajak, payway, bakong] as const;
