import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { telegramWebhook } from "../../src/server/telegram-webhook.js";
import { nextMessage, startHarness, textOf, type Harness } from "./harness.js";

/**
 * Issue 11, webhook mode: the fake Telegram delivers updates to our route over HTTP and, like Telegram,
 * redelivers any update that does not get a 2xx answer.
 */
let h: Harness;
let server: Server;
let url: string;
const SECRET = "webhook-test-secret_1";
const USER = 701;

beforeAll(async () => {
  h = await startHarness();
  h.driver.addUser({ id: USER, first_name: "Dara", language_code: "en" });
  await h.bot.init();
  const app = new Hono();
  app.post("/telegram", telegramWebhook(h.bot, { secretToken: SECRET, log: createLogger({ level: "silent", secrets: [] }) }));
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
  await h.bot.api.setWebhook(url, { secret_token: SECRET });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

const post = (body: string, secret: string | null = SECRET) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }) }, body });
const helpSends = () => h.driver.calls("sendMessage").filter((c) => String(c.params.chat_id) === String(USER) && String(c.params.text).includes("How to top up"));

describe("Telegram webhook route", () => {
  it("handles an update", async () => {
    const help = nextMessage(h.driver, USER, "How to top up");
    h.driver.sendText(USER, "/help");
    await help;
    await h.driver.flush();
    expect(h.driver.webhookInfo().last_error_message ?? "").toBe("");
  });

  it("an update whose reply fails answers 200 once, runs its handler once and apologises as in polling mode", async () => {
    const before = helpSends().length;
    h.driver.failNext("sendMessage", 400);
    const apology = nextMessage(h.driver, USER, "Sorry, something went wrong");
    h.driver.sendText(USER, "/help");
    await apology;
    await h.driver.flush();
    expect(helpSends().slice(before).map((c) => c.status)).toEqual([400]);
    expect(h.driver.webhookInfo().last_error_message ?? "").toBe("");
    expect(h.driver.chat(USER).filter((m) => textOf(m).includes("Sorry, something went wrong"))).toHaveLength(1);
  });

  it("a failing button handler is answered and apologised for once, with 200", async () => {
    const greeting = nextMessage(h.driver, USER, "Hello Dara");
    h.driver.sendText(USER, "/start");
    const menu = await greeting;
    const before = helpSends().length;
    h.driver.failNext("sendMessage", 400);
    const apology = nextMessage(h.driver, USER, "Sorry, something went wrong");
    h.driver.clickButton(USER, menu.message_id, "menu:help");
    await apology;
    await h.driver.flush();
    expect(helpSends().slice(before).map((c) => c.status)).toEqual([400]);
    expect(h.driver.callbackAnswers(USER).filter((a) => a.message_id === menu.message_id)).toHaveLength(1);
    expect(h.driver.webhookInfo().last_error_message ?? "").toBe("");
  });

  it("refuses a wrong or missing secret token, changing nothing", async () => {
    const calls = h.driver.calls().length;
    const update = JSON.stringify({ update_id: 9_000_001, message: { message_id: 1, date: 1, chat: { id: USER, type: "private" }, from: { id: USER, is_bot: false, first_name: "X" }, text: "/help" } });
    expect((await post(update, "wrong-secret")).status).toBe(401);
    expect((await post(update, `${SECRET}x`)).status).toBe(401);
    expect((await post(update, null)).status).toBe(401);
    expect(h.driver.calls().length).toBe(calls);
  });

  it("answers a malformed update with 400, changing nothing", async () => {
    const calls = h.driver.calls().length;
    for (const body of ["not json", "[]", "null", "42", "{}", '{"update_id":"7"}', '{"update_id":-1}', '{"update_id":1.5}']) {
      const answer = await post(body);
      expect(answer.status, body).toBe(400);
      expect(await answer.json()).toEqual({ ok: false, error: "not a Telegram update" });
    }
    expect(h.driver.calls().length).toBe(calls);
  });
});
