import type { MerchantRecord } from "../platform/merchant-store.js";

/** One merchant as `merchant list --json` prints it. */
export interface MerchantListing {
  name: string;
  /** `@username` of its bot; null for the environment merchant (its bot is the environment's) or a removed one. */
  bot: string | null;
  state: MerchantRecord["state"];
  /** `telegram` and each provider that sends webhooks: the address to give it. */
  webhooks: Record<string, string>;
}

export function webhooksText(webhooks: Record<string, string>): string[] {
  const width = Math.max(0, ...Object.keys(webhooks).map((k) => k.length));
  return Object.entries(webhooks).map(([name, url]) => `  ${name.padEnd(width)}  ${url}`);
}

export function listText(merchants: readonly MerchantListing[]): string {
  return merchants
    .flatMap((m) => [`${m.name}  ${m.bot ?? "-"}  ${m.state}`, ...webhooksText(m.webhooks)])
    .join("\n");
}
