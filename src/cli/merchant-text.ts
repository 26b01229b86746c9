import { dateTime } from "../bot/format.js";
import type { MerchantRecord } from "../platform/merchant-store.js";
import { awaitsVerification } from "../platform/test-payments.js";

/** One merchant as `merchant list --json` prints it. */
export interface MerchantListing {
  name: string;
  /** `@username` of its bot; null for the environment merchant (its bot is the environment's) or a removed one. */
  bot: string | null;
  state: MerchantRecord["state"];
  /** `telegram` and each provider that sends webhooks: the address to give it. */
  webhooks: Record<string, string>;
  /** When its first test payment succeeded (ISO 8601); null: not yet verified. Added after the four keys above. */
  verifiedAt: string | null;
}

export function webhooksText(webhooks: Record<string, string>): string[] {
  const width = Math.max(0, ...Object.keys(webhooks).map((k) => k.length));
  return Object.entries(webhooks).map(([name, url]) => `  ${name.padEnd(width)}  ${url}`);
}

/** A listed shop's verification, when operators are shown one (src/platform/test-payments.ts awaitsVerification). */
function verificationText(m: MerchantListing & { id: number }): string {
  if (m.verifiedAt !== null) return `  verified ${dateTime(new Date(m.verifiedAt))}`;
  return awaitsVerification({ ...m, verified: false }) ? "  not yet verified" : "";
}

export function listText(merchants: readonly (MerchantListing & { id: number })[]): string {
  return merchants
    .flatMap((m) => [`${m.name}  ${m.bot ?? "-"}  ${m.state}${verificationText(m)}`, ...webhooksText(m.webhooks)])
    .join("\n");
}
