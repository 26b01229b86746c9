import type { ProviderConfigDescriptor } from "../provider-config.js";

export interface AhnajakConfig { baseUrl: string; profileId: string; secretKey: string; payloadTemplate?: Record<string, string> }

export const ahnajakConfig = {
  name: "ahnajak",
  variables: {
    AHNAJAK_BASE_URL: { secret: false, required: false },
    AHNAJAK_PROFILE_ID: { secret: false, required: true },
    AHNAJAK_SECRET_KEY: { secret: true, required: true },
    AHNAJAK_PAYLOAD_TEMPLATE: { secret: false, required: false },
  },
  secretLogFields: ["x-ahnajak-signature"],
  read: (v): AhnajakConfig => ({
    baseUrl: v.url("AHNAJAK_BASE_URL", false) ?? "https://abapay.kesor.cam",
    profileId: v.str("AHNAJAK_PROFILE_ID", true) ?? "",
    secretKey: v.str("AHNAJAK_SECRET_KEY", true) ?? "",
    payloadTemplate: v.payloadTemplate("AHNAJAK_PAYLOAD_TEMPLATE"),
  }),
} as const satisfies ProviderConfigDescriptor<"ahnajak", AhnajakConfig>;
