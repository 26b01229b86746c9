import { ahnajakConfig } from "./ahnajak.js";
import { bakongConfig } from "./bakong.js";
import { kessConfig } from "./kess.js";
import { paywayConfig } from "./payway.js";
import { raksmeypayConfig } from "./raksmeypay.js";

export type { AhnajakConfig } from "./ahnajak.js";
export type { BakongConfig } from "./bakong.js";
export type { KessConfig } from "./kess.js";
export type { PayWayConfig } from "./payway.js";
export type { RaksmeyPayConfig } from "./raksmeypay.js";

/** Every provider's configuration, in the order the bot offers them. */
export const PROVIDER_CONFIGS = [raksmeypayConfig, kessConfig, ahnajakConfig, paywayConfig, bakongConfig] as const;
