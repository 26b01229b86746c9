import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { BotDriver } from "./driver.js";
import { Registry, type BotOptions } from "./registry.js";
import { createApp } from "./server.js";

export interface FakeTelegramOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface FakeTelegram {
  /** Give this to grammY as `client.apiRoot`. */
  url: string;
  /** The bot with this token (created on first call; options only apply then). */
  bot(token: string, options?: BotOptions): BotDriver;
  bots(): BotDriver[];
  close(): Promise<void>;
}

/** Starts a fake Telegram Bot API server on 127.0.0.1. */
export async function createFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const registry = new Registry();
  const host = options.host ?? "127.0.0.1";
  const app = createApp(registry);
  const { server, address } = await new Promise<{ server: Server; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (address) =>
      resolve({ server: server as Server, address }),
    ) as Server;
    server.once("error", reject);
  });
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${address.port}`,
    bot: (token, botOptions) => registry.bot(token, botOptions),
    bots: () => registry.list(),
    close: async () => {
      registry.close();
      // Long polls and keep-alive sockets would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
