import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PanelType, ProviderName } from "../src/config/config.js";
import type { Currency } from "../src/money/money.js";
import { startPerfectPanelSimulator } from "./panels/perfectpanel-simulator.js";
import type { PanelSimulator } from "./panels/panel-simulator.js";
import { startSocPanelSimulator } from "./panels/socpanel-simulator.js";
import type { ProviderSimulator } from "./provider-simulator.js";
import { startAhnajakSimulator } from "./providers/ahnajak-simulator.js";
import { startBakongSimulator } from "./providers/bakong-simulator.js";
import { startKessSimulator } from "./providers/kess-simulator.js";
import { startPayWaySimulator } from "./providers/payway-simulator.js";
import { startRaksmeyPaySimulator } from "./providers/raksmeypay-simulator.js";
import { createFakeTelegram, type BotDriver, type FakeTelegram } from "./telegram/index.js";

/** Demo identities: the sandbox page chats as these two Telegram users. */
export const SANDBOX_CUSTOMER = { id: 700_000_001, first_name: "Dara", username: "dara_demo", language_code: "en" } as const;
export const SANDBOX_ADMIN = { id: 700_000_002, first_name: "Sokha", username: "sokha_admin", language_code: "en" } as const;
export const SANDBOX_ADMIN_CHAT = -1_000_700_000_003;
export const SANDBOX_PANEL_USERS: Record<string, number> = { dara: 250, alice: 0, bopha: 1000 };

export const SANDBOX_PANEL_API_KEY = "sandbox-panel-api-key";
const BOT_TOKEN = "7000000000:SANDBOX-bot-token-not-a-secret-0000";
const PAYWAY_TOKEN = "sandbox-payway-path-token-0123456789";

export interface Sandbox {
  /** The environment that points the application at the simulators and the sandbox's own database. */
  env: Record<string, string>;
  /** The sandbox's SQLite file, in a temporary directory removed by close(): never a live install's database. */
  databaseFile: string;
  providers: Map<ProviderName, ProviderSimulator>;
  panel: PanelSimulator;
  telegram: FakeTelegram;
  bot: BotDriver;
  /** Tells each provider simulator where our webhooks are, once the server listens. */
  connect(serverUrl: string): void;
  close(): Promise<void>;
}

export interface SandboxOptions {
  providers?: readonly ProviderName[];
  panelType?: PanelType;
  currency?: Currency;
}

/** Starts every outside party on loopback: the five providers, the panel and the Telegram Bot API. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const names = opts.providers ?? (["bakong", "raksmeypay", "kess", "payway", "ahnajak"] as const);
  const currency = opts.currency ?? "USD";
  const panelType = opts.panelType ?? "perfectpanel";
  const dataDir = mkdtempSync(join(tmpdir(), "khqr-sandbox-"));
  const databaseFile = join(dataDir, "sandbox.db");
  const env: Record<string, string> = {
    DATABASE_URL: `file:${databaseFile}`,
    BOT_TOKEN,
    ADMIN_IDS: String(SANDBOX_ADMIN.id),
    ADMIN_CHAT_ID: String(SANDBOX_ADMIN_CHAT),
    TOPUP_CURRENCY: currency,
    MERCHANT_NAME: "Sandbox SMM Shop",
    MERCHANT_CITY: "Phnom Penh",
    PAYMENT_PROVIDERS: names.join(","),
    PANEL_TYPE: panelType,
    PANEL_API_KEY: SANDBOX_PANEL_API_KEY,
    PANEL_PAYMENT_METHOD: "KHQR",
  };
  const providers = new Map<ProviderName, ProviderSimulator>();
  const started: { close(): Promise<void> }[] = [];
  const keep = <T extends { close(): Promise<void> }>(s: T): T => {
    started.push(s);
    return s;
  };

  for (const name of names) {
    if (name === "bakong") {
      const sim = keep(await startBakongSimulator({ token: "sandbox-bakong-token", accounts: ["sandbox_shop@aclb"] }));
      Object.assign(env, { BAKONG_API_URL: sim.url, BAKONG_TOKEN: "sandbox-bakong-token", BAKONG_ACCOUNT_ID: "sandbox_shop@aclb" });
      providers.set(name, sim);
    } else if (name === "raksmeypay") {
      const creds = { profileId: "sandbox-profile", profileKey: "sandbox-profile-key", webhookApiKey: "sandbox-webhook-key" };
      const sim = keep(await startRaksmeyPaySimulator({ ...creds, currency }));
      Object.assign(env, { RAKSMEYPAY_BASE_URL: sim.url, RAKSMEYPAY_PROFILE_ID: creds.profileId, RAKSMEYPAY_PROFILE_KEY: creds.profileKey, RAKSMEYPAY_WEBHOOK_API_KEY: creds.webhookApiKey });
      providers.set(name, sim);
    } else if (name === "kess") {
      const sim = keep(await startKessSimulator());
      const c = sim.config();
      Object.assign(env, {
        KESS_BASE_URL: sim.url, KESS_CLIENT_ID: c.clientId, KESS_CLIENT_SECRET: c.clientSecret, KESS_USERNAME: c.username,
        KESS_PASSWORD: c.password, KESS_SELLER_CODE: c.sellerCode, KESS_API_SECRET: c.apiSecret, KESS_SIGN_TYPE: c.signType,
      });
      providers.set(name, sim);
    } else if (name === "payway") {
      const sim = keep(await startPayWaySimulator());
      Object.assign(env, {
        PAYWAY_BAKONG_ID: "abaakhppxxx@abaa", PAYWAY_MERCHANT_ID: "125021214532846", PAYWAY_ACQUIRING_BANK: "ABA Bank",
        PAYWAY_DATA: "0010PAYWAY@ABA0208104514230604A227", PAYWAY_WEBHOOK_TOKEN: PAYWAY_TOKEN,
      });
      providers.set(name, sim);
    } else {
      const creds = { profileId: "sandbox-ahnajak", secretKey: "sandbox-ahnajak-secret" };
      const sim = keep(await startAhnajakSimulator(creds));
      Object.assign(env, { AHNAJAK_BASE_URL: sim.url, AHNAJAK_PROFILE_ID: creds.profileId, AHNAJAK_SECRET_KEY: creds.secretKey });
      providers.set(name, sim);
    }
  }

  const panelOpts = { apiKey: env.PANEL_API_KEY!, users: SANDBOX_PANEL_USERS, currency: "USD" as const };
  const panel = keep(panelType === "socpanel" ? await startSocPanelSimulator(panelOpts) : await startPerfectPanelSimulator(panelOpts));
  env.PANEL_URL = panel.url;

  const telegram = keep(await createFakeTelegram());
  const bot = telegram.bot(BOT_TOKEN, { username: "khqr_sandbox_bot", first_name: "KHQR Top-up (sandbox)" });
  bot.addUser(SANDBOX_CUSTOMER);
  bot.addUser(SANDBOX_ADMIN);
  bot.addGroup({ id: SANDBOX_ADMIN_CHAT, title: "Sandbox admins", botIsAdmin: true });
  env.TELEGRAM_API_ROOT = telegram.url;

  return {
    env,
    databaseFile,
    providers,
    panel,
    telegram,
    bot,
    connect(serverUrl) {
      for (const [name, sim] of providers) {
        sim.setWebhookUrl(name === "payway" ? `${serverUrl}/webhooks/payway/${PAYWAY_TOKEN}` : `${serverUrl}/webhooks/${name}`);
      }
    },
    async close() {
      for (const s of started.reverse()) await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
