import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import { Hono } from "hono";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { SendLimit } from "../../sandbox/telegram/send-limit.js";

let fake: FakeTelegram;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
let nextToken = 1000;

beforeAll(async () => {
  fake = await createFakeTelegram();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});

/** A fresh bot token, a grammY Bot pointed at the fake, and its driver. */
function setup() {
  const token = `${nextToken++}:TEST-token_${nextToken}`;
  const driver = fake.bot(token);
  const bot = new Bot(token, { client: { apiRoot: fake.url } });
  return { token, driver, bot, api: bot.api };
}

function png(width: number, height: number, seed: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(seed);
  return PNG.sync.write(image);
}

async function apiError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

async function rawCall(token: string, method: string, init?: RequestInit) {
  const res = await fetch(`${fake.url}/bot${token}/${method}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Serves a Hono app on 127.0.0.1 and returns its base URL; closed in afterAll. */
async function listen(app: Hono): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("long polling with a real grammY bot", () => {
  it("echoes with an inline keyboard, answers the button and edits the message", async () => {
    const { driver, bot } = setup();
    const errors: unknown[] = [];
    bot.catch((e) => void errors.push(e));
    bot.command("start", (ctx) => ctx.reply(`welcome ${ctx.from?.first_name}`));
    bot.on("message:text", (ctx) =>
      ctx.reply(`echo: ${ctx.message.text}`, { reply_markup: new InlineKeyboard().text("Again", "again") }),
    );
    bot.callbackQuery("again", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "done" });
      await ctx.editMessageText(`pressed: ${ctx.callbackQuery.message?.message_id}`);
    });
    driver.addUser({ id: 501, first_name: "Dara", language_code: "km" });

    await new Promise<void>((resolve) => void bot.start({ onStart: () => resolve() }));
    cleanups.push(() => bot.isRunning() && bot.stop());

    const start = driver.sendText(501, "/start");
    expect(start.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    await driver.waitFor(501, (m) => m.text === "welcome Dara");

    driver.sendText(501, "hello there");
    const echo = await driver.waitFor(501, (m) => m.text === "echo: hello there");
    expect(echo.reply_markup).toEqual({ inline_keyboard: [[{ text: "Again", callback_data: "again" }]] });
    expect(echo.raw.from?.id).toBe(driver.me.id);
    expect(echo.raw.chat).toMatchObject({ id: 501, type: "private", first_name: "Dara" });

    expect(() => driver.clickButton(501, echo.message_id, "nope")).toThrow(/has no button "nope"/);
    driver.clickButton(501, echo.message_id, "again");
    const edited = await driver.waitFor(501, (m) => m.message_id === echo.message_id && m.edited);
    expect(edited.text).toBe(`pressed: ${echo.message_id}`);
    // editMessageText without reply_markup removes the keyboard, as on Telegram.
    expect(edited.reply_markup).toBeUndefined();
    expect(edited.raw.edit_date).toBeTypeOf("number");
    expect(driver.callbackAnswers(501)).toEqual([
      expect.objectContaining({ text: "done", show_alert: false, data: "again", message_id: echo.message_id }),
    ]);

    await bot.stop();
    expect(errors).toEqual([]);
    expect(driver.chat(501).map((m) => m.text)).toEqual(["welcome Dara", `pressed: ${echo.message_id}`]);
    const polls = driver.calls("getUpdates");
    expect(polls.length).toBeGreaterThan(1);
    expect(polls[0]?.params.timeout).toBe(30);
  });

  it("long-polls, confirms with offset and terminates a concurrent poll with 409", async () => {
    const { token, driver } = setup();
    driver.addUser({ id: 7, first_name: "A" });
    const post = (body: object) =>
      rawCall(token, "getUpdates", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    // A poll is parked once the fake has logged it (logging and parking happen in one tick).
    const parked = (count: number) => vi.waitFor(() => expect(driver.calls("getUpdates")).toHaveLength(count));
    const t0 = Date.now();
    const waiting = post({ timeout: 5 });
    await parked(1);
    const sent = driver.sendText(7, "wake up");
    const first = await waiting;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(first.body.result).toEqual([sent]);

    const again = await post({ timeout: 0 });
    expect(again.body.result).toEqual([sent]);
    const confirmed = await post({ offset: sent.update_id + 1, timeout: 0 });
    expect(confirmed.body.result).toEqual([]);

    const older = post({ timeout: 5 });
    await parked(4);
    const newer = post({ timeout: 1 });
    expect(await older).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      },
    });
    expect((await newer).body).toEqual({ ok: true, result: [] });
  });
});

describe("files", () => {
  it("round-trips sendPhoto bytes, then edits caption and media", async () => {
    const { driver, api } = setup();
    driver.addUser({ id: 42, first_name: "Sok" });
    driver.sendText(42, "/topup");
    const qr = png(40, 30, 7);

    const sent = await api.sendPhoto(42, new InputFile(qr, "qr.png"), {
      caption: "<b>Pay</b> 5 USD &amp; wait",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Cancel", "cancel"),
    });
    expect(sent.photo.at(-1)).toMatchObject({ width: 40, height: 30, file_size: qr.length });
    expect(sent.caption).toBe("Pay 5 USD & wait");
    expect(sent.caption_entities).toEqual([{ type: "bold", offset: 0, length: 3 }]);

    let view = driver.lastMessage(42)!;
    expect(Buffer.from(view.photo!.bytes!).equals(qr)).toBe(true);
    expect(view.photo).toMatchObject({ width: 40, height: 30 });

    const captioned = await api.editMessageCaption(42, sent.message_id, { caption: "Paid" });
    expect(captioned).toMatchObject({ caption: "Paid" });
    view = driver.lastMessage(42)!;
    expect(view).toMatchObject({ caption: "Paid", edited: true });
    expect(view.caption_entities).toBeUndefined();

    const receipt = png(20, 20, 200);
    await api.editMessageMedia(42, sent.message_id, {
      type: "photo",
      media: new InputFile(receipt, "receipt.png"),
      caption: "Receipt",
    });
    view = driver.lastMessage(42)!;
    expect(Buffer.from(view.photo!.bytes!).equals(receipt)).toBe(true);
    expect(view.photo!.file_unique_id).not.toBe(sent.photo.at(-1)!.file_unique_id);
    expect(view.caption).toBe("Receipt");

    const again = await api.sendPhoto(42, sent.photo.at(-1)!.file_id);
    expect(again.photo.at(-1)!.file_unique_id).toBe(sent.photo.at(-1)!.file_unique_id);

    const csv = Buffer.from("id,amount\n1,500\n");
    const doc = await api.sendDocument(42, new InputFile(csv, "report.csv"));
    expect(doc.document).toMatchObject({ file_name: "report.csv", mime_type: "text/csv", file_size: csv.length });
    const docView = driver.lastMessage(42)!.document!;
    expect(Buffer.from(docView.bytes!).toString()).toBe(csv.toString());

    const bad = await apiError(api.sendPhoto(42, new InputFile(Buffer.from("<svg/>"), "qr.svg")));
    expect(bad.error_code).toBe(400);
    expect(bad.description).toBe("Bad Request: IMAGE_PROCESS_FAILED");
  });

  it("accepts form-urlencoded and standard multipart bodies", async () => {
    const { token, driver } = setup();
    driver.addUser({ id: 9, first_name: "Form" });
    driver.sendText(9, "hi");

    const markup = { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] };
    const form = await rawCall(token, "sendMessage", {
      method: "POST",
      body: new URLSearchParams({ chat_id: "9", text: "from form", reply_markup: JSON.stringify(markup) }),
    });
    expect(form.status).toBe(200);
    expect(form.body.result).toMatchObject({ text: "from form", reply_markup: markup, chat: { id: 9 } });

    const image = png(8, 8, 1);
    const data = new FormData();
    data.set("chat_id", "9");
    data.set("caption", "multipart");
    data.set("photo", new Blob([image]), "p.png");
    const multipart = await rawCall(token, "sendPhoto", { method: "POST", body: data });
    expect(multipart.status).toBe(200);
    expect(Buffer.from(driver.lastMessage(9)!.photo!.bytes!).equals(image)).toBe(true);

    const query = await rawCall(token, `sendMessage?chat_id=9&text=${encodeURIComponent("via GET")}`);
    expect(query.body.result).toMatchObject({ text: "via GET" });
  });
});

describe("errors a bot must cope with", () => {
  it("answers 'message is not modified' and 'message to edit not found' like Telegram", async () => {
    const { driver, api } = setup();
    driver.addUser({ id: 11, first_name: "E" });
    driver.sendText(11, "/start");
    const keyboard = new InlineKeyboard().text("A", "a");
    const msg = await api.sendMessage(11, "Amount: 5 USD", { reply_markup: keyboard });

    const same = await apiError(api.editMessageText(11, msg.message_id, "Amount: 5 USD", { reply_markup: keyboard }));
    expect(same.error_code).toBe(400);
    expect(same.description).toMatch(/^Bad Request: message is not modified/);

    const newMarkup = await api.editMessageReplyMarkup(11, msg.message_id, { reply_markup: new InlineKeyboard().text("B", "b") });
    expect(newMarkup).toMatchObject({ reply_markup: { inline_keyboard: [[{ text: "B", callback_data: "b" }]] } });

    const missing = await apiError(api.editMessageText(11, 9999, "x"));
    expect(missing.description).toBe("Bad Request: message to edit not found");

    await api.deleteMessage(11, msg.message_id);
    expect(driver.chat(11).find((m) => m.message_id === msg.message_id)).toMatchObject({ deleted: true });
    const deleted = await apiError(api.editMessageText(11, msg.message_id, "later"));
    expect(deleted.description).toBe("Bad Request: message to edit not found");
    expect(driver.lastMessage(11)).toBeUndefined();

    const md = await apiError(api.sendMessage(11, "Total: 5.00 USD", { parse_mode: "MarkdownV2" }));
    expect(md.description).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    const escaped = await api.sendMessage(11, "*Total:* 5\\.00 USD", { parse_mode: "MarkdownV2" });
    expect(escaped).toMatchObject({ text: "Total: 5.00 USD", entities: [{ type: "bold", offset: 0, length: 6 }] });

    const stranger = await apiError(api.sendMessage(12, "hi"));
    expect(stranger.description).toBe("Bad Request: chat not found");
    driver.addUser({ id: 12, first_name: "New" });
    const notStarted = await apiError(api.sendMessage(12, "hi"));
    expect(notStarted).toMatchObject({ error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" });
  });

  it("fails the next call with 429 and auto-retry gets through", async () => {
    const { token, driver, bot, api } = setup();
    driver.addUser({ id: 21, first_name: "R" });
    driver.sendText(21, "hi");

    driver.failNext("sendMessage", 429, 3);
    const raw = await rawCall(token, "sendMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 21, text: "raw" }),
    });
    expect(raw).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 3", parameters: { retry_after: 3 } },
    });

    driver.failNext("sendMessage", 500);
    const crash = await apiError(api.sendMessage(21, "x"));
    expect(crash.error_code).toBe(500);

    bot.api.config.use(autoRetry({ maxRetryAttempts: 2 }));
    driver.failNext("sendMessage", 429, 1);
    const t0 = Date.now();
    const sent = await bot.api.sendMessage(21, "after retry");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(sent.text).toBe("after retry");
    expect(driver.calls("sendMessage").map((c) => c.status)).toEqual([429, 500, 429, 200]);
    expect(driver.chat(21).map((m) => m.text)).toEqual(["after retry"]);
  });

  it("holds a bot to a per-bot message rate when asked: sends over it are answered 429, other calls are not counted", async () => {
    const { token, driver, api } = setup();
    driver.addUser({ id: 22, first_name: "L" });
    driver.sendText(22, "hi");

    driver.limitMessagesPerSecond(0);
    const raw = await rawCall(token, "sendMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 22, text: "over the limit" }),
    });
    expect(raw).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
    });
    expect(await api.sendChatAction(22, "typing")).toBe(true);

    driver.limitMessagesPerSecond(undefined);
    expect((await api.sendMessage(22, "lifted")).text).toBe("lifted");
    expect(driver.chat(22).map((m) => m.text)).toEqual(["lifted"]);
  });

  it("counts a per-bot message limit over a sliding second", () => {
    const limit = new SendLimit(2);
    expect(limit.take("sendMessage", 0)).toBeUndefined();
    expect(limit.take("sendPhoto", 400)).toBeUndefined();
    expect(limit.take("sendChatAction", 450)).toBeUndefined();
    expect(limit.take("sendDocument", 500)).toMatchObject({ code: 429, parameters: { retry_after: 1 } });
    expect(limit.take("sendMessage", 1000)).toBeUndefined();
    expect(limit.take("sendMessage", 1200)).toMatchObject({ code: 429 });
    expect(limit.take("sendMessage", 1400)).toBeUndefined();
  });

  it("rejects a wrong token with 401 and an unknown method with 404", async () => {
    const stranger = new Bot("999999:not-a-real-token", { client: { apiRoot: fake.url } });
    const error = await apiError(stranger.api.getMe());
    expect(error).toMatchObject({ error_code: 401, description: "Unauthorized" });

    const { token } = setup();
    expect(await rawCall(token, "launchRocket")).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found: method not found" },
    });
  });
});

describe("parse modes", () => {
  it("turns HTML and MarkdownV2 into text plus entities, and rejects bad markup", async () => {
    const { driver, api } = setup();
    driver.addUser({ id: 71, first_name: "P" });
    driver.sendText(71, "hi");
    const html = await api.sendMessage(71, '<b>Top-up <i>#12</i></b> <a href="https://pay.example/?a=1&amp;b=2">pay</a> 5 &lt; 6', {
      parse_mode: "HTML",
    });
    expect(html.text).toBe("Top-up #12 pay 5 < 6");
    expect(html.entities).toEqual([
      { type: "bold", offset: 0, length: 10 },
      { type: "italic", offset: 7, length: 3 },
      { type: "text_link", offset: 11, length: 3, url: "https://pay.example/?a=1&b=2" },
    ]);
    const md = await api.sendMessage(71, "__Amount__ `5.00` [open](https://x.y/a\\)b)", { parse_mode: "MarkdownV2" });
    expect(md.text).toBe("Amount 5.00 open");
    expect(md.entities).toEqual([
      { type: "underline", offset: 0, length: 6 },
      { type: "code", offset: 7, length: 4 },
      { type: "text_link", offset: 12, length: 4, url: "https://x.y/a)b" },
    ]);
    const unclosed = await apiError(api.sendMessage(71, "<b>Total", { parse_mode: "HTML" }));
    expect(unclosed.description).toBe('Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
    const unknown = await apiError(api.sendMessage(71, "<div>x</div>", { parse_mode: "HTML" }));
    expect(unknown.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0');
  });
});

describe("bot settings", () => {
  it("stores setMyCommands per language and scope", async () => {
    const { driver, api } = setup();
    await api.setMyCommands([
      { command: "start", description: "Start" },
      { command: "topup", description: "Top up balance" },
    ], { language_code: "en" });
    await api.setMyCommands([{ command: "topup", description: "បញ្ចូលទឹកប្រាក់" }], { language_code: "km" });
    await api.setMyCommands([{ command: "pending", description: "Pending top-ups" }], {
      scope: { type: "chat", chat_id: -100123 },
    });

    expect(driver.commands()).toEqual([
      { scope: { type: "default" }, language_code: "en", commands: [{ command: "start", description: "Start" }, { command: "topup", description: "Top up balance" }] },
      { scope: { type: "default" }, language_code: "km", commands: [{ command: "topup", description: "បញ្ចូលទឹកប្រាក់" }] },
      { scope: { type: "chat", chat_id: -100123 }, language_code: "", commands: [{ command: "pending", description: "Pending top-ups" }] },
    ]);
    expect(await api.getMyCommands({ language_code: "km" })).toEqual([{ command: "topup", description: "បញ្ចូលទឹកប្រាក់" }]);
    expect(await api.getMyCommands()).toEqual([]);

    const invalid = await apiError(api.setMyCommands([{ command: "TopUp", description: "x" }]));
    expect(invalid.description).toBe("Bad Request: BOT_COMMAND_INVALID");
    expect(await api.setChatMenuButton({ menu_button: { type: "commands" } })).toBe(true);
    const me = await api.getMe();
    expect(me).toMatchObject({ id: driver.me.id, is_bot: true, username: driver.me.username });
  });
});

describe("webhook mode", () => {
  it("delivers to grammY's webhookCallback with the secret token and refuses getUpdates", async () => {
    const { driver, bot, api } = setup();
    bot.on("message:text", (ctx) => ctx.reply(`hook: ${ctx.message.text}`));
    const app = new Hono();
    app.post("/tg", webhookCallback(bot, "hono", { secretToken: "s3cret_token" }));
    const base = await listen(app);

    await api.setWebhook(`${base}/tg`, { secret_token: "s3cret_token" });
    driver.addUser({ id: 31, first_name: "W" });
    driver.sendText(31, "ping");
    await driver.waitFor(31, (m) => m.text === "hook: ping");

    const conflict = await apiError(api.getUpdates());
    expect(conflict.error_code).toBe(409);
    expect(await api.getWebhookInfo()).toMatchObject({ url: `${base}/tg`, pending_update_count: 0 });

    // A wrong secret is refused by grammY, so the update is retried and finally dropped.
    await api.setWebhook(`${base}/tg`, { secret_token: "other" });
    driver.sendText(31, "lost");
    await driver.flush();
    const info = await api.getWebhookInfo();
    expect(info.last_error_message).toBe("Wrong response from the webhook: 401 Unauthorized");
    expect(driver.chat(31).map((m) => m.text)).toEqual(["hook: ping"]);
    await api.deleteWebhook();
  });

  it("executes a Bot API call given as the webhook answer", async () => {
    const { driver, api } = setup();
    const app = new Hono();
    app.post("/reply", async (c) => {
      const update = await c.req.json<{ message: { chat: { id: number }; text: string } }>();
      return c.json({ method: "sendMessage", chat_id: update.message.chat.id, text: `re: ${update.message.text}` });
    });
    await api.setWebhook(`${await listen(app)}/reply`);
    driver.addUser({ id: 35, first_name: "Reply" });
    driver.sendText(35, "quick");
    expect((await driver.waitFor(35, (m) => m.text === "re: quick")).raw.chat.id).toBe(35);
    await api.deleteWebhook();
  });

  it("retries a failing webhook and keeps per-chat order across two instances", async () => {
    const { driver, api, token } = setup();
    const seen: string[] = [];
    const instance = async (name: string) => {
      const bot = new Bot(token, { client: { apiRoot: fake.url } });
      bot.on("message:text", async (ctx) => {
        // Slow handling would reorder updates if the fake did not wait for each answer per chat.
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        seen.push(`${name}:${ctx.message.text}`);
        await ctx.reply(ctx.message.text);
      });
      const app = new Hono();
      let failures = name === "a" ? 2 : 0;
      app.post("/hook", async (c, next) => {
        if (failures-- > 0) return c.text("boom", 500);
        await next();
      });
      app.post("/hook", webhookCallback(bot, "hono", { secretToken: "shared" }));
      return `${await listen(app)}/hook`;
    };
    const [a, b] = await Promise.all([instance("a"), instance("b")]);
    await api.setWebhook(a, { secret_token: "shared" });
    driver.addUser({ id: 41, first_name: "Order" });

    const texts = Array.from({ length: 8 }, (_, i) => `m${i}`);
    texts.forEach((text, i) => driver.sendText(41, text, { deliverTo: i % 2 === 0 ? a : b }));
    await driver.flush();

    expect(driver.chat(41).map((m) => m.text)).toEqual(texts);
    expect(seen).toEqual(texts.map((t, i) => `${i % 2 === 0 ? "a" : "b"}:${t}`));
    await api.deleteWebhook();
  });
});

describe("groups and the control endpoints", () => {
  it("applies privacy mode to group messages and shows the bot's group messages", async () => {
    const { driver, api } = setup();
    driver.addUser({ id: 51, first_name: "Admin" });
    driver.addGroup({ id: -1001234567890, title: "Admins" });
    expect(driver.sendToGroup(-1001234567890, 51, "just chatting")).toBeUndefined();
    const command = driver.sendToGroup(-1001234567890, 51, `/pending@${driver.me.username}`);
    expect(command?.message?.chat).toMatchObject({ id: -1001234567890, type: "supergroup", title: "Admins" });

    const note = await api.sendMessage(-1001234567890, "New top-up: 10 USD", {
      reply_markup: new InlineKeyboard().text("Approve", "approve:1"),
    });
    expect(driver.messagesIn(-1001234567890).map((m) => m.text)).toEqual(["New top-up: 10 USD"]);
    const reply = driver.sendToGroup(-1001234567890, 51, "ok", { replyTo: note.message_id });
    expect(reply?.message?.reply_to_message?.message_id).toBe(note.message_id);
    const click = driver.clickButton(51, note.message_id, "approve:1", { chatId: -1001234567890 });
    expect(click.callback_query?.message?.chat.id).toBe(-1001234567890);
  });

  it("drives a bot over /_control JSON endpoints", async () => {
    const token = `${nextToken++}:control`;
    const control = async (path: string, body?: object) => {
      const res = await fetch(`${fake.url}/_control${path}`, body
        ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
        : undefined);
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const bot = `/bots/${encodeURIComponent(token)}`;
    expect((await control("/bots", { token, username: "khqr_test_bot" })).body).toMatchObject({ username: "khqr_test_bot" });
    await control(`${bot}/users`, { id: 61, first_name: "Page" });
    const { body: update } = await control(`${bot}/send-text`, { userId: 61, text: "/start" });
    expect(update).toMatchObject({ message: { text: "/start", entities: [{ type: "bot_command" }] } });

    const api = new Bot(token, { client: { apiRoot: fake.url } }).api;
    const [first] = await api.getUpdates();
    expect(first?.update_id).toBe((update as { update_id: number }).update_id);
    const image = png(5, 5, 9);
    await api.sendPhoto(61, new InputFile(image), { caption: "QR" });

    const events = await control(`${bot}/events?after=0&timeout=1`);
    expect((events.body as { events: Array<{ type: string }> }).events.map((e) => e.type)).toEqual(["message", "update", "message"]);
    const { body: messages } = await control(`${bot}/chats/61/messages`);
    const [photo] = messages as Array<{ caption: string; photo: { bytes_base64: string; file_url: string } }>;
    expect(photo?.caption).toBe("QR");
    expect(Buffer.from(photo!.photo.bytes_base64, "base64").equals(image)).toBe(true);
    const file = await fetch(`${fake.url}${photo!.photo.file_url}`);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);

    await control(`${bot}/fail-next`, { method: "sendMessage", status: 500 });
    expect((await apiError(api.sendMessage(61, "x"))).error_code).toBe(500);
    const { body: calls } = await control(`${bot}/calls?method=sendMessage`);
    expect(calls).toEqual([expect.objectContaining({ method: "sendMessage", status: 500 })]);
    expect((await control(`/bots/${encodeURIComponent("1:nobody")}/commands`)).status).toBe(404);
  });
});
