import http from "node:http";
import type { Socket } from "node:net";

/**
 * Server-side view of HTTP load in this process: for requests whose URL starts with `pathPrefix`, the
 * time from the server's "request" event to the answer being written, and when the server listening on
 * `port` accepted each new connection (other servers of the process, such as the simulators, are not
 * counted). Instruments http.Server.prototype.emit (this process only, benchmark use).
 */
export function watchServer(pathPrefix: string, opts: { port?: number } = {}) {
  let origin = performance.now();
  let handled: number[] = [];
  let accepted: number[] = [];
  const emit = http.Server.prototype.emit;
  function patched(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection" && (opts.port === undefined || (args[0] as Socket).localPort === opts.port)) accepted.push(performance.now() - origin);
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (req.url?.startsWith(pathPrefix)) {
        const start = performance.now();
        res.once("finish", () => handled.push(performance.now() - start));
      }
    }
    return (emit as (this: http.Server, ...all: unknown[]) => boolean).call(this, event, ...args);
  }
  http.Server.prototype.emit = patched as typeof emit;
  return {
    /** Starts a new window (times of acceptance are relative to it). */
    reset() {
      origin = performance.now();
      handled = [];
      accepted = [];
    },
    read: () => ({ handled, accepted }),
    restore() {
      http.Server.prototype.emit = emit;
    },
  };
}
