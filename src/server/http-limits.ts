import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import type { Socket } from "node:net";

/** What one unauthenticated caller can hold on to: time per request and a share of the open connections. */
export interface HttpLimits {
  /** The request line and headers must arrive within this; an idle new connection is closed after it too. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this: a body that trickles in is cut off (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for connections past those deadlines. */
  checkIntervalMs: number;
  /** Open connections at most; a new one beyond it replaces the oldest connection with no request in progress. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxConnections: 512,
};

/** The program's HTTP server (webhooks, health, metrics) with its limits applied; it starts listening at once. */
export function serveWithLimits(
  opts: { fetch: Parameters<typeof createAdaptorServer>[0]["fetch"]; port: number; hostname: string },
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Server {
  const server = createAdaptorServer({
    fetch: opts.fetch,
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
  }) as Server;
  boundConnections(server, limits.maxConnections);
  server.listen(opts.port, opts.hostname);
  return server;
}

/**
 * Keeps at most `max` connections open. Idle and half-sent connections (what a flood of slow clients
 * holds) make room for new ones, oldest first, so a health check still gets in; a connection whose
 * request is being answered is never cut, and when every one is busy the newcomer is refused.
 */
function boundConnections(server: Server, max: number): void {
  const open = new Set<Socket>();
  const answering = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      answering.delete(socket);
    });
    if (open.size <= max) return;
    let victim = socket;
    for (const candidate of open) {
      if (candidate !== socket && !answering.has(candidate)) {
        victim = candidate;
        break;
      }
    }
    open.delete(victim);
    victim.destroy();
  });
  server.on("request", (req, res) => {
    const socket = req.socket;
    answering.add(socket);
    res.once("close", () => answering.delete(socket));
  });
}
