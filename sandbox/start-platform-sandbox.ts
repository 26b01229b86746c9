import { randomBytes } from "node:crypto";
import type { ProviderName } from "../src/config/config.js";
import type { ApplicationOptions } from "../src/main.js";
import { readOperatorBot } from "../src/platform/operator-settings.js";
import { readPlatformSettings } from "../src/platform/platform-settings.js";
import { startSocPanelSimulator } from "./panels/socpanel-simulator.js";
import type { PanelSimulator } from "./panels/panel-simulator.js";
import type { ProviderSimulator } from "./provider-simulator.js";
import { startKessSimulator, type KessSimulator } from "./providers/kess-simulator.js";
import { SANDBOX_ADMIN, startSandbox, type Sandbox } from "./start-sandbox.js";
import type { BotDriver } from "./telegram/index.js";

/** The panel owner who opens the second shop by chat with the platform's bot; that shop's admin once it is live. */
export const SANDBOX_OWNER = { id: 700_000_004, first_name: "Vanna", username: "vanna_panel", language_code: "en" } as const;
/** The second shop's customer. */
export const SANDBOX_CUSTOMER_B = { id: 700_000_005, first_name: "Bopha", username: "bopha_demo", language_code: "en" } as const;
/** The operator (PLATFORM_ADMIN_IDS) is the first shop's admin. */
export const SANDBOX_OPERATOR = SANDBOX_ADMIN;
/** The second shop's panel users: `vanna` is the owner's own, which its test payment credits. */
export const SANDBOX_PANEL_B_USERS: Record<string, number> = { bopha: 0, chenda: 1200, vanna: 0 };

const PLATFORM_BOT_TOKEN = "7000000009:SANDBOX-platform-bot-not-a-secret00";
const SHOP_B_TOKEN = "7000000005:SANDBOX-shop-b-bot-not-a-secret-000";
const SHOP_B_PANEL_KEY = "sandbox-socpanel-api-key";

/** One answer the owner gives in /newshop, offered on the page as a button that fills the message box. */
export interface NewShopAnswer {
  /** What it is, in words (the page's button label). */
  label: string;
  text: string;
  /** The bot deletes the message that carries it. */
  secret: boolean;
}

/** The second shop before it exists: its bot, panel and provider are simulated; the owner opens it with /newshop. */
export interface NewShop {
  bot: BotDriver;
  panel: PanelSimulator;
  kess: KessSimulator;
  providers: Map<ProviderName, ProviderSimulator>;
  /** Every answer /newshop asks for, in the order asked (the panel type and provider are buttons). */
  answers: NewShopAnswer[];
}

/**
 * The sandbox of a platform (`npm run sandbox:platform`): the single-shop sandbox's shop (Bakong KHQR, a
 * PerfectPanel) is the platform's first shop; the platform's bot (PLATFORM_BOT_TOKEN) takes /newshop; a second
 * shop's bot, SocPanel and KESS are simulated, waiting for its owner to open it by chat. Three bots on one fake
 * Telegram, each with its own chats.
 */
export interface PlatformSandbox extends Sandbox {
  platformBot: BotDriver;
  newShop: NewShop;
}

export const isPlatformSandbox = (sandbox: Sandbox): sandbox is PlatformSandbox => "platformBot" in sandbox;

/** `publicUrl`: where the application will listen (the platform takes every bot's updates by webhook). */
export async function startPlatformSandbox(publicUrl: string): Promise<PlatformSandbox> {
  const sandbox = await startSandbox({ providers: ["bakong"], panelType: "perfectpanel" });
  const extra: { close(): Promise<void> }[] = [];
  try {
    const panel = await startSocPanelSimulator({ apiKey: SHOP_B_PANEL_KEY, users: SANDBOX_PANEL_B_USERS, currency: "USD" });
    extra.push(panel);
    const kess = await startKessSimulator();
    extra.push(kess);

    const platformBot = sandbox.telegram.bot(PLATFORM_BOT_TOKEN, { username: "khqr_platform_bot", first_name: "KHQR Platform" });
    platformBot.addUser(SANDBOX_OWNER);
    platformBot.addUser(SANDBOX_OPERATOR);
    const bot = sandbox.telegram.bot(SHOP_B_TOKEN, { username: "vanna_smm_bot", first_name: "Vanna SMM (sandbox)" });
    bot.addUser(SANDBOX_CUSTOMER_B);
    bot.addUser(SANDBOX_OWNER);

    Object.assign(sandbox.env, {
      BOT_MODE: "webhook",
      PUBLIC_URL: publicUrl,
      TELEGRAM_WEBHOOK_SECRET: "sandbox-shop-a-webhook-secret",
      MASTER_KEY: randomBytes(32).toString("base64"),
      PLATFORM_BOT_TOKEN,
      PLATFORM_ADMIN_IDS: String(SANDBOX_OPERATOR.id),
    });
    const c = kess.config();
    const answers: NewShopAnswer[] = [
      { label: "Bot token", text: SHOP_B_TOKEN, secret: true },
      { label: "Panel address", text: panel.url, secret: false },
      { label: "Panel API key", text: SHOP_B_PANEL_KEY, secret: true },
      {
        label: "KESS credentials",
        text: [c.clientId, c.clientSecret, c.username, c.password, c.sellerCode, c.apiSecret, c.signType, `KESS_BASE_URL=${kess.url}`].join("\n"),
        secret: true,
      },
      { label: "Admin chat: none", text: "-", secret: false },
      { label: "Shop name", text: "Vanna SMM", secret: false },
    ];
    const close = sandbox.close;
    return {
      ...sandbox,
      platformBot,
      newShop: { bot, panel, kess, providers: new Map<ProviderName, ProviderSimulator>([["kess", kess]]), answers },
      async close() {
        for (const s of extra.reverse()) await s.close();
        await close();
      },
    };
  } catch (err) {
    for (const s of extra.reverse()) await s.close();
    await sandbox.close();
    throw err;
  }
}

/** What the application needs to serve the sandbox as a platform: its master key, environment and the operators' bot. */
export function platformOptions(sandbox: PlatformSandbox): NonNullable<ApplicationOptions["platform"]> {
  const settings = readPlatformSettings(sandbox.env);
  return { masterKey: settings.masterKey, processEnv: sandbox.env, operatorBot: readOperatorBot(sandbox.env, settings)! };
}
