import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the balancer forwarded, with the answer it piped back. */
export interface ProxiedExchange {
  /** Base URL of the upstream that answered. */
  target: string;
  method: string;
  /** Path and query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Upstream status, or 502/503 when there was no upstream answer. */
  status: number;
  responseBody: Buffer;
  startedAt: number;
  endedAt: number;
}

export interface LoadBalancerOptions {
  /** Base URLs (`http://127.0.0.1:1234`) of the upstreams; may be set later with setTargets. */
  targets?: readonly string[];
  /** Chooses the upstream of one request; default: uniformly at random. */
  pick?: (targets: readonly string[], req: IncomingMessage) => string;
  /** Called after each exchange (the answer is already on its way back to the client). */
  onExchange?: (exchange: ProxiedExchange) => void;
}

export interface LoadBalancer {
  url: string;
  setTargets(targets: readonly string[]): void;
  /** Requests forwarded to each upstream, by base URL. */
  readonly forwarded: ReadonlyMap<string, number>;
  /** Requests that got no upstream answer (answered 502), with the reason. */
  readonly failures: readonly string[];
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; content-length is recomputed.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "host"]);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

const random = (targets: readonly string[]) => targets[Math.floor(Math.random() * targets.length)]!;

/**
 * A plain HTTP reverse proxy on 127.0.0.1: each request (method, path, headers, raw body) goes to one
 * upstream, and the upstream's status, headers and body are piped back unchanged.
 */
export async function startLoadBalancer(opts: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  let targets: readonly string[] = [...(opts.targets ?? [])];
  const forwarded = new Map<string, number>();
  const failures: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const pick = opts.pick ?? random;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks)));
    req.on("error", () => res.destroy());
  });
  // Like a real balancer's idle timeout: far longer than the clients keep idle sockets, so a client never
  // reuses a socket the balancer is closing (Node's 5 s default races that under event-loop lag).
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const startedAt = Date.now();
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const report = (target: string, status: number, responseBody: Buffer) =>
      opts.onExchange?.({ target, method, path, headers: req.headers, body, status, responseBody, startedAt, endedAt: Date.now() });
    const fail = (target: string, status: 502 | 503, message: string) => {
      if (!res.headersSent) res.writeHead(status, { "content-type": "text/plain" });
      res.end(message);
      report(target, status, Buffer.from(message));
    };

    if (targets.length === 0) return fail("", 503, "no upstream");
    const target = pick(targets, req);
    forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
    const base = new URL(target);
    const send = (attempt: number) => {
      const upstream = request(
        {
          // A retry goes on a connection of its own, never on another pooled socket that may be stale too.
          agent: attempt === 0 ? agent : false,
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method,
          path,
          headers: { ...endToEnd(req.headers), host: base.host, "content-length": String(body.length) },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => {
            if (opts.onExchange) parts.push(chunk);
            res.write(chunk);
          });
          answer.on("end", () => {
            res.end();
            report(target, answer.statusCode ?? 502, Buffer.concat(parts));
          });
          answer.on("error", () => res.destroy());
        },
      );
      upstream.on("error", (err: NodeJS.ErrnoException) => {
        // The upstream closed an idle kept-alive socket just as it was reused (Node's documented retry
        // pattern for request.reusedSocket). Sent once more on a fresh socket, as Telegram and the providers
        // would re-deliver: what goes through here (updates, webhooks) must tolerate a repeat anyway.
        if (upstream.reusedSocket && err.code === "ECONNRESET" && attempt === 0 && !res.headersSent) return send(1);
        failures.push(`${method} ${target}${path} (attempt ${attempt + 1}): ${err.code ?? ""} ${err.message}`);
        if (res.headersSent) res.destroy();
        else fail(target, 502, `upstream ${target} failed: ${err.code ?? ""} ${err.message}`);
      });
      upstream.end(body);
    };
    send(0);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setTargets(next) {
      targets = [...next];
    },
    forwarded,
    failures,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
    },
  };
}
