import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_COMMANDS, registerCommands } from "../../src/bot/commands.js";
import { LOCALES, translator } from "../../src/bot/i18n.js";
import { loadConfig } from "../../src/config/config.js";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { ADMIN_ID, nextMessage, startHarness, textOf, type Harness } from "./harness.js";
import { fakeBotToken } from "../support/bot-token.js";

let fake: FakeTelegram;

beforeAll(async () => {
  fake = await createFakeTelegram();
});

afterAll(async () => {
  await fake?.close();
});

describe("registerCommands", () => {
  it("sets the customer menu in English and Khmer, and the admin menu in each admin's chat", async () => {
    const token = fakeBotToken(424242, "TEST-commands");
    const driver = fake.bot(token);
    driver.addUser({ id: 11, first_name: "Admin" });
    driver.sendText(11, "/start");
    const config = loadConfig({ BOT_TOKEN: token, PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: "k", ADMIN_IDS: "11,12", BAKONG_TOKEN: "t", BAKONG_ACCOUNT_ID: "a@b", MERCHANT_NAME: "Commands Shop" });
    const bot = new Bot(token, { client: { apiRoot: fake.url } });

    await registerCommands(bot.api, config);

    const entries = driver.commands();
    const find = (scope: string, language: string) => entries.find((e) => e.scope.type === scope && e.language_code === language)?.commands ?? [];
    const names = (list: { command: string }[]) => list.map((c) => c.command);
    expect(names(find("default", ""))).toEqual(["topup", "balance", "history", "link", "language", "help", "cancel"]);
    expect(find("default", "")[0]!.description).toBe("Top up your panel balance");
    expect(find("default", "km")[0]!.description).toBe("បញ្ចូលទឹកប្រាក់ទៅគណនី panel");
    const admin = entries.filter((e) => e.scope.type === "chat");
    expect(admin.map((e) => [(e.scope as { chat_id: number }).chat_id, e.language_code]).sort()).toEqual([[11, ""], [11, "km"], [12, ""], [12, "km"]]);
    expect(names(admin[0]!.commands)).toEqual(expect.arrayContaining(["refund", "report", "find", "pending", "recredit", "credit", "topup"]));
  });
});

describe("BOT_COMMANDS, the one list of commands", () => {
  it("names fit Telegram's menu, once each; every one has its English and Khmer description", () => {
    const names = BOT_COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9_]{1,32}$/);
    for (const locale of LOCALES) {
      const t = translator(locale);
      for (const name of names) expect(t(`command-${name}`), `${locale} command-${name}`).not.toMatch(/^$|command-/);
    }
  });

  it("a feature's commands share one audience (the admin filter goes around the whole feature)", () => {
    for (const c of BOT_COMMANDS) {
      expect(BOT_COMMANDS.filter((d) => d.feature === c.feature).map((d) => d.audience), c.name).not.toContain(c.audience === "admins" ? "everyone" : "admins");
    }
  });
});

describe("every command is handled, admins' for admins only", { timeout: 120_000 }, () => {
  const CUSTOMER = 602;
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.driver.addUser({ id: CUSTOMER, first_name: "Dara", username: "dara_kh", language_code: "en" });
    h.startBot();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** What the bot answered to `text`: every message up to its answer to a /help sent right after. */
  async function answersTo(userId: number, text: string): Promise<string[]> {
    const before = Math.max(0, ...h.driver.messagesIn(userId).map((m) => m.message_id));
    h.driver.sendText(userId, text);
    if (text !== "/help") h.driver.sendText(userId, "/help");
    const help = await nextMessage(h.driver, userId, "How to top up");
    return h.driver.messagesIn(userId).filter((m) => m.message_id > before && m.message_id <= help.message_id).map(textOf);
  }

  it("answers each command, and admins' commands from a customer like an unknown command", async () => {
    const unknown = translator("en")("unknown-command");
    for (const c of BOT_COMMANDS) {
      const admin = await answersTo(ADMIN_ID, `/${c.name}`);
      expect(admin.length, `/${c.name} from an admin`).toBeGreaterThan(0);
      expect(admin.filter((t) => t.startsWith(unknown)), `/${c.name} from an admin`).toEqual([]);
      const customer = await answersTo(CUSTOMER, `/${c.name}`);
      const refused = customer.filter((t) => t.startsWith(unknown));
      expect(refused.length, `/${c.name} from a customer`).toBe(c.audience === "admins" ? 1 : 0);
      if (c.audience === "admins") expect(customer.length, `/${c.name} from a customer`).toBe(2);
    }
  });
});
