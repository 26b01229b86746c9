import { Hono, type Context } from "hono";
import type { BotDriver } from "./driver.js";
import type { Registry } from "./registry.js";
import type { ChatMessage } from "./view.js";

// JSON twin of the driver for a browser page. Bodies and answers use the driver's argument names.
type Body = Record<string, unknown>;

const num = (value: unknown) => Number(value);

export function controlRoutes(registry: Registry): Hono {
  const app = new Hono();
  const driverOf = (c: Context): BotDriver => {
    const driver = registry.find(c.req.param("token") ?? "");
    if (!driver) throw new ControlError(404, "unknown bot token");
    return driver;
  };
  const json = (c: Context, driver: BotDriver, messages: ChatMessage[]) =>
    c.json(messages.map((m) => messageJson(driver, m)));

  app.onError((error, c) => {
    const status = error instanceof ControlError ? error.status : 400;
    return c.json({ error: error.message }, status);
  });

  app.get("/bots", (c) => c.json(registry.list().map((d) => ({ token: d.token, me: d.me }))));
  app.post("/bots", async (c) => {
    const { token, ...options } = await c.req.json<Body>();
    return c.json(registry.bot(String(token), options).me);
  });
  app.post("/bots/:token/users", async (c) => c.json(driverOf(c).addUser(await c.req.json())));
  app.post("/bots/:token/groups", async (c) => c.json(driverOf(c).addGroup(await c.req.json())));
  app.post("/bots/:token/block", async (c) => {
    const body = await c.req.json<Body>();
    driverOf(c).blockBot(num(body.userId), body.blocked !== false);
    return c.json({ ok: true });
  });
  app.post("/bots/:token/send-text", async (c) => {
    const b = await c.req.json<Body>();
    return c.json(driverOf(c).sendText(num(b.userId), String(b.text), options(b)));
  });
  app.post("/bots/:token/send-to-group", async (c) => {
    const b = await c.req.json<Body>();
    return c.json({ update: driverOf(c).sendToGroup(num(b.chatId), num(b.userId), String(b.text), options(b)) ?? null });
  });
  app.post("/bots/:token/click-button", async (c) => {
    const b = await c.req.json<Body>();
    const chatId = b.chatId === undefined ? undefined : num(b.chatId);
    const update = driverOf(c).clickButton(num(b.userId), num(b.messageId), String(b.callbackData), {
      ...options(b),
      ...(chatId !== undefined ? { chatId } : {}),
    });
    return c.json(update);
  });
  app.get("/bots/:token/chats/:chatId/messages", (c) => json(c, driverOf(c), driverOf(c).messagesIn(num(c.req.param("chatId")))));
  app.get("/bots/:token/chats/:chatId/history", (c) => json(c, driverOf(c), driverOf(c).history(num(c.req.param("chatId")))));
  app.get("/bots/:token/chats/:chatId/last-message", (c) => {
    const last = driverOf(c).lastMessage(num(c.req.param("chatId")));
    return c.json(last ? messageJson(driverOf(c), last) : null);
  });
  app.get("/bots/:token/chats/:chatId/keyboard", (c) => c.json(driverOf(c).keyboard(num(c.req.param("chatId"))) ?? null));
  app.get("/bots/:token/users/:userId/callback-answers", (c) => c.json(driverOf(c).callbackAnswers(num(c.req.param("userId")))));
  app.get("/bots/:token/commands", (c) => c.json(driverOf(c).commands()));
  app.post("/bots/:token/fail-next", async (c) => {
    const b = await c.req.json<Body>();
    driverOf(c).failNext(String(b.method), num(b.status), b.retryAfter === undefined ? 1 : num(b.retryAfter), b.times === undefined ? 1 : num(b.times));
    return c.json({ ok: true });
  });
  app.get("/bots/:token/calls", (c) => c.json(driverOf(c).calls(c.req.query("method"))));
  app.get("/bots/:token/webhook-info", (c) => c.json(driverOf(c).webhookInfo()));
  app.get("/bots/:token/events", async (c) => {
    const driver = driverOf(c);
    const timeoutSeconds = Math.min(num(c.req.query("timeout") ?? 0) || 0, 60);
    const events = await driver.nextEvents(num(c.req.query("after") ?? 0) || 0, timeoutSeconds * 1000);
    return c.json({ events, last_seq: driver.state.lastSeq });
  });
  app.get("/bots/:token/files/:fileId", (c) => {
    const file = driverOf(c).file(c.req.param("fileId"));
    if (!file?.bytes) throw new ControlError(404, "no stored bytes for this file_id");
    return c.body(Buffer.from(file.bytes), 200, { "content-type": file.mime_type ?? "application/octet-stream" });
  });
  return app;
}

class ControlError extends Error {
  constructor(readonly status: 404 | 400, message: string) {
    super(message);
  }
}

function options(body: Body): { replyTo?: number; deliverTo?: string } {
  return {
    ...(body.replyTo !== undefined ? { replyTo: Number(body.replyTo) } : {}),
    ...(typeof body.deliverTo === "string" ? { deliverTo: body.deliverTo } : {}),
  };
}

/** ChatMessage with file bytes as base64 plus a URL the page can load them from. */
function messageJson(driver: BotDriver, message: ChatMessage): unknown {
  const file = (view: { file_id: string; bytes?: Uint8Array } | undefined) => {
    if (!view) return undefined;
    const { bytes, ...rest } = view;
    if (!bytes) return rest;
    const file_url = `/_control/bots/${encodeURIComponent(driver.token)}/files/${encodeURIComponent(view.file_id)}`;
    return { ...rest, bytes_base64: Buffer.from(bytes).toString("base64"), file_url };
  };
  return { ...message, photo: file(message.photo), document: file(message.document) };
}
