import type { ProviderConfigDescriptor } from "../provider-config.js";

export interface PayWayConfig { bakongId: string; merchantId: string; acquiringBank: string; data: string; mcc: string; webhookToken: string }

export const paywayConfig = {
  name: "payway",
  variables: {
    PAYWAY_BAKONG_ID: { secret: false, required: true },
    PAYWAY_MERCHANT_ID: { secret: false, required: true },
    PAYWAY_ACQUIRING_BANK: { secret: false, required: false },
    PAYWAY_DATA: { secret: false, required: true },
    PAYWAY_MCC: { secret: false, required: false },
    PAYWAY_WEBHOOK_TOKEN: { secret: true, required: true },
  },
  read: (v, problems): PayWayConfig => {
    const config = {
      bakongId: v.str("PAYWAY_BAKONG_ID", true) ?? "",
      merchantId: v.str("PAYWAY_MERCHANT_ID", true) ?? "",
      acquiringBank: v.str("PAYWAY_ACQUIRING_BANK", false) ?? "ABA Bank",
      data: v.str("PAYWAY_DATA", true) ?? "",
      mcc: v.mcc("PAYWAY_MCC", "5999"),
      webhookToken: v.str("PAYWAY_WEBHOOK_TOKEN", true) ?? "",
    };
    if (config.webhookToken.length < 16) {
      problems.push("PAYWAY_WEBHOOK_TOKEN: must be at least 16 characters (it is the webhook's only protection)");
    }
    return config;
  },
} as const satisfies ProviderConfigDescriptor<"payway", PayWayConfig>;
