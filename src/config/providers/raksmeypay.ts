import type { ProviderConfigDescriptor } from "../provider-config.js";

export interface RaksmeyPayConfig { baseUrl: string; profileId: string; profileKey: string; webhookApiKey: string; qrTemplate: 1 | 2 }

export const raksmeypayConfig = {
  name: "raksmeypay",
  variables: {
    RAKSMEYPAY_BASE_URL: { secret: false, required: false },
    RAKSMEYPAY_PROFILE_ID: { secret: false, required: true },
    RAKSMEYPAY_PROFILE_KEY: { secret: true, required: true },
    RAKSMEYPAY_WEBHOOK_API_KEY: { secret: true, required: true },
    RAKSMEYPAY_QR_TEMPLATE: { secret: false, required: false },
  },
  read: (v): RaksmeyPayConfig => ({
    baseUrl: v.url("RAKSMEYPAY_BASE_URL", false) ?? "https://mail.raksmeypay.com",
    profileId: v.str("RAKSMEYPAY_PROFILE_ID", true) ?? "",
    profileKey: v.str("RAKSMEYPAY_PROFILE_KEY", true) ?? "",
    webhookApiKey: v.str("RAKSMEYPAY_WEBHOOK_API_KEY", true) ?? "",
    qrTemplate: v.oneOf("RAKSMEYPAY_QR_TEMPLATE", ["1", "2"] as const, "2") === "1" ? 1 : 2,
  }),
} as const satisfies ProviderConfigDescriptor<"raksmeypay", RaksmeyPayConfig>;
