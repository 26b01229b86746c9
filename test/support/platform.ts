import { writeFileSync } from "node:fs";
import { merchantCommand } from "../../src/cli/merchant.js";
import type { Config } from "../../src/config/config.js";
import { openServices, type Services } from "../../src/services.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import type { KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import type { RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { silentLog } from "./core.js";

export { freePort } from "../../sandbox/serve.js";

/**
 * The operator CLI's `merchant` command run in this process, against the platform `env` (DATABASE_URL, MASTER_KEY,
 * PUBLIC_URL, TELEGRAM_API_ROOT): a child process with tsx is slow on a loaded machine. The CLI's own tests run it as one.
 */
export async function merchantCli(config: Config, env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  let services: Promise<Services> | undefined;
  try {
    const code = await merchantCommand.run(args, { config, env, log: silentLog, services: () => (services ??= openServices(config, { log: silentLog })), print: (line) => lines.push(line) });
    return { code, stdout: lines.join("\n") };
  } finally {
    await (await services)?.close();
  }
}

/** The route key of merchant `name`, from `merchant list --json`. */
export async function routeKeyOf(config: Config, env: Record<string, string>, name: string): Promise<string> {
  const listed = await merchantCli(config, env, ["list", "--json"]);
  const found = (JSON.parse(listed.stdout) as { name: string; webhooks: Record<string, string> }[]).find((m) => m.name === name);
  if (!found) throw new Error(`merchant ${name} not listed`);
  return new URL(found.webhooks.telegram!).pathname.split("/")[2]!;
}

/** A merchant's .env-style file: its bot, admin, one provider's variables and its panel. */
export function writeMerchantEnv(file: string, m: { token: string; admin: number; name: string; panel: PanelSimulator; panelKey: string; kess?: KessSimulator; raksmeypay?: { sim: RaksmeyPaySimulator; profileId: string; profileKey: string; webhookApiKey: string } }): void {
  const lines = [`BOT_TOKEN=${m.token}`, `ADMIN_IDS=${m.admin}`, `MERCHANT_NAME=${m.name}`, "TOPUP_CURRENCY=USD", "PANEL_TYPE=perfectpanel", `PANEL_URL=${m.panel.url}`, `PANEL_API_KEY=${m.panelKey}`, "PANEL_PAYMENT_METHOD=KHQR"];
  if (m.kess) {
    const c = m.kess.config();
    lines.push(
      "PAYMENT_PROVIDERS=kess", `KESS_BASE_URL=${m.kess.url}`, `KESS_CLIENT_ID=${c.clientId}`, `KESS_CLIENT_SECRET=${c.clientSecret}`, `KESS_USERNAME=${c.username}`,
      `KESS_PASSWORD=${c.password}`, `KESS_SELLER_CODE=${c.sellerCode}`, `KESS_API_SECRET=${c.apiSecret}`, `KESS_SIGN_TYPE=${c.signType}`,
    );
  } else if (m.raksmeypay) {
    const r = m.raksmeypay;
    lines.push("PAYMENT_PROVIDERS=raksmeypay", `RAKSMEYPAY_BASE_URL=${r.sim.url}`, `RAKSMEYPAY_PROFILE_ID=${r.profileId}`, `RAKSMEYPAY_PROFILE_KEY=${r.profileKey}`, `RAKSMEYPAY_WEBHOOK_API_KEY=${r.webhookApiKey}`);
  }
  writeFileSync(file, lines.join("\n"));
}
