import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

export interface TelegramSink {
  /** TELEGRAM_API_ROOT for every bot served. */
  apiRoot: string;
  /** Bot API calls answered, by method. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A Bot API that answers every call at once and keeps nothing but a count per method: for benchmarks with many
 * bots, where the fake Telegram (sandbox/telegram), which keeps chats and enforces limits per bot, would be
 * measured instead of the application. getMe answers with a bot made up from the token's id.
 */
export async function startTelegramSink(): Promise<TelegramSink> {
  const calls = new Map<string, number>();
  const app = new Hono();
  app.post("/:bot/:method", async (c) => {
    const method = c.req.param("method");
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const body = (await c.req.json().catch(() => ({}))) as { chat_id?: number };
    const id = Number(c.req.param("bot").replace(/^bot/, "").split(":")[0]);
    if (method === "getMe") return c.json({ ok: true, result: { id, is_bot: true, first_name: `Bot ${id}`, username: `bot_${id}_bot` } });
    if (method.startsWith("send")) return c.json({ ok: true, result: { message_id: calls.get(method), date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id ?? 0, type: "private" } } });
    return c.json({ ok: true, result: true });
  });
  const { server, address } = await new Promise<{ server: Server; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server: server as Server, address: info })) as Server;
    server.once("error", reject);
  });
  return {
    apiRoot: `http://127.0.0.1:${address.port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
