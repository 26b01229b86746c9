import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { createServer, type AddressInfo } from "node:net";

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:39123 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a Hono app on loopback (port 0 = any free port) for simulators and tests. */
export function serveApp(app: Hono, opts: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A port free right now on loopback (a platform's PUBLIC_URL must be known before the server listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
