import type { Server } from "node:http";

/**
 * Stops accepting connections, closes idle keep-alive ones at once, gives requests in flight (a webhook
 * being recorded) `graceMs` to finish, then cuts what is left (a long poll) so shutdown never waits on a client.
 */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  // Connections that finish their request during the grace period go idle: close those too.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
    clearInterval(sweep);
  }
}
