import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCommands } from "../../src/bot/commands.js";
import { loadConfig } from "../../src/config/config.js";
import { createFakeTelegram, type FakeTelegram } from "../../src/sandbox/telegram/index.js";
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
