import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

/** The header the load generator signs every webhook body with (HMAC-SHA1 of the raw body, hex); the application ignores it. */
export const BASELINE_SIGNATURE_HEADER = "x-bench-signature";

export function baselineSignature(key: string, body: string): string {
  return createHmac("sha1", key).update(body, "utf8").digest("hex");
}

export interface BaselineServer {
  url: string;
  /** The path it answers POSTs on. */
  path: string;
  close(): Promise<void>;
}

/**
 * The baseline for webhook rates: the least a Hono server on Node can do for a signed POST. It reads the
 * raw body, checks one HMAC-SHA1 of it against the signature header and answers 200 `{"ok":true}` (401
 * when it does not match). No database, no parsing. Started in the benchmark's own process, next to the
 * application, so both share the same core and the same load.
 */
export async function startBaselineServer(key: string): Promise<BaselineServer> {
  const expectedLength = baselineSignature(key, "").length;
  const app = new Hono();
  app.post("/webhook", async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    const given = Buffer.from(c.req.header(BASELINE_SIGNATURE_HEADER) ?? "", "utf8");
    const wanted = Buffer.from(createHmac("sha1", key).update(body).digest("hex"), "utf8");
    if (given.length !== expectedLength || !timingSafeEqual(given, wanted)) return c.json({ ok: false }, 401);
    return c.json({ ok: true });
  });
  const { server, address } = await new Promise<{ server: Server; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server: server as Server, address: info })) as Server;
    server.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    path: "/webhook",
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
