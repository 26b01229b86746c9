import type { ProviderConfigDescriptor } from "../provider-config.js";

export interface BakongConfig { apiUrl: string; token: string; accountId: string }

export const bakongConfig = {
  name: "bakong",
  variables: {
    BAKONG_API_URL: { secret: false, required: false },
    BAKONG_TOKEN: { secret: true, required: true },
    BAKONG_ACCOUNT_ID: { secret: false, required: true },
  },
  read: (v, problems): BakongConfig => {
    const config = {
      apiUrl: v.url("BAKONG_API_URL", false) ?? "https://api-bakong.nbc.gov.kh",
      token: v.str("BAKONG_TOKEN", true) ?? "",
      accountId: v.str("BAKONG_ACCOUNT_ID", true) ?? "",
    };
    if (config.accountId && !config.accountId.includes("@")) problems.push("BAKONG_ACCOUNT_ID: a Bakong account id looks like name@bank");
    return config;
  },
} as const satisfies ProviderConfigDescriptor<"bakong", BakongConfig>;
