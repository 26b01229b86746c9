import type { ProviderConfigDescriptor } from "../provider-config.js";

export interface KessConfig {
  baseUrl: string; clientId: string; clientSecret: string; username: string; password: string;
  sellerCode: string; apiSecret: string; signType: "MD5" | "HMAC-SHA256"; serviceCode: string;
}

export const kessConfig = {
  name: "kess",
  variables: {
    KESS_BASE_URL: { secret: false, required: true, turnsOn: false },
    KESS_CLIENT_ID: { secret: false, required: true },
    KESS_CLIENT_SECRET: { secret: true, required: true },
    KESS_USERNAME: { secret: false, required: true },
    KESS_PASSWORD: { secret: true, required: true },
    KESS_SELLER_CODE: { secret: false, required: true },
    KESS_API_SECRET: { secret: true, required: true },
    KESS_SIGN_TYPE: { secret: false, required: false },
    KESS_SERVICE_CODE: { secret: false, required: false },
  },
  read: (v): KessConfig => ({
    baseUrl: v.url("KESS_BASE_URL", true) ?? "",
    clientId: v.str("KESS_CLIENT_ID", true) ?? "",
    clientSecret: v.str("KESS_CLIENT_SECRET", true) ?? "",
    username: v.str("KESS_USERNAME", true) ?? "",
    password: v.str("KESS_PASSWORD", true) ?? "",
    sellerCode: v.str("KESS_SELLER_CODE", true) ?? "",
    apiSecret: v.str("KESS_API_SECRET", true) ?? "",
    signType: v.oneOf("KESS_SIGN_TYPE", ["MD5", "HMAC-SHA256"] as const, "MD5"),
    serviceCode: v.str("KESS_SERVICE_CODE", false) ?? "KHQR",
  }),
} as const satisfies ProviderConfigDescriptor<"kess", KessConfig>;
