import { connect, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAOS, fingerprint, sameState, summaryLine, type Fingerprint } from "../reliability/helpers.js";
import { startWebhookServer } from "./webhook-server.js";

/**
 * Slow and idle clients over real sockets against the program's HTTP server (serveWithLimits with
 * short deadlines): a body or a header block that trickles in is cut off with 408, idle connections
 * are closed, the number of open connections stays at the cap, /healthz answers throughout, and
 * nothing is stored. Each trickle would take minutes to finish if the server let it.
 */

const LIMITS = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 1_000, checkIntervalMs: 200, maxConnections: 64 };
const IDLE_SOCKETS = CHAOS ? 5_000 : 400;
const TRICKLING = CHAOS ? 200 : 20;

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const heapMb = () => {
  collectGarbage();
  return Math.round(process.memoryUsage().heapUsed / 1_048_576);
};

let server: Awaited<ReturnType<typeof startWebhookServer>>;
let state: Fingerprint;
const figures = { connections: 0, trickled: 0, cut408: 0, closedForRoom: 0, healthChecks: 0, maxOpenSeen: 0, heapBeforeMb: 0, heapAfterMb: 0, stateChanges: 0 };
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startWebhookServer(LIMITS);
  state = await fingerprint(server.database);
  figures.heapBeforeMb = heapMb();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (server) {
    figures.stateChanges = sameState(state, await fingerprint(server.database)) ? 0 : 1;
    figures.heapAfterMb = heapMb();
    await server.close();
  }
  summaryLine("slow-connections", {
    "connections opened": figures.connections,
    "trickled bytes": figures.trickled,
    "cut off with 408": figures.cut408,
    "closed unanswered (idle, to make room)": figures.closedForRoom,
    "/healthz answered": figures.healthChecks,
    "most open at once": figures.maxOpenSeen,
    "connection cap": LIMITS.maxConnections,
    "heap MB before": figures.heapBeforeMb,
    "heap MB after": figures.heapAfterMb,
    "state changes": figures.stateChanges,
  });
});

interface Probe {
  socket: Socket;
  /** Everything the server answered, once it closed the connection. */
  closed: Promise<string>;
  isOpen(): boolean;
}

function open(): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1");
    sockets.push(socket);
    figures.connections++;
    let answer = "";
    let isOpen = true;
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.on("error", () => {});
    const closed = new Promise<string>((done) =>
      socket.once("close", () => {
        isOpen = false;
        if (answer.startsWith("HTTP/1.1 408")) figures.cut408++;
        if (answer === "") figures.closedForRoom++;
        done(answer);
      }),
    );
    socket.once("connect", () => resolve({ socket, closed, isOpen: () => isOpen }));
    socket.once("error", reject);
  });
}

/** Writes one byte every `everyMs` until the server closes the connection. */
function trickle(p: Probe, everyMs: number, next: (n: number) => string): void {
  let n = 0;
  const timer = setInterval(() => {
    if (!p.isOpen() || p.socket.destroyed) return clearInterval(timer);
    p.socket.write(next(n++));
    figures.trickled++;
  }, everyMs);
  void p.closed.then(() => clearInterval(timer));
}

async function healthz(): Promise<number> {
  const res = await fetch(`${server.url}/healthz`, { headers: { connection: "close" } });
  await res.arrayBuffer();
  if (res.status === 200) figures.healthChecks++;
  return res.status;
}

const openConnections = () => new Promise<number>((resolve, reject) => server.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

describe("slow and idle connections", { timeout: CHAOS ? 10 * 60_000 : 60_000 }, () => {
  it("a body that trickles in is cut off with 408 while /healthz keeps answering", async () => {
    const p = await open();
    const length = 4_000; // at one byte per 50 ms: 200 s if the server waited for it
    p.socket.write(`POST /webhooks/raksmeypay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Api-Key: sec-webhook-key\r\nContent-Length: ${length}\r\n\r\n{`);
    trickle(p, 50, () => " ");
    expect(await healthz()).toBe(200);
    const answer = await p.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(figures.trickled).toBeLessThan(length);
  });

  it("a header block that trickles in (slowloris) is cut off with 408", async () => {
    const p = await open();
    p.socket.write("POST /webhooks/kess HTTP/1.1\r\nHost: x\r\n");
    trickle(p, 100, (n) => `X-Slow-${n}: ${"a".repeat(10)}\r\n`);
    expect(await healthz()).toBe(200);
    expect(await p.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a connection that sends nothing is closed", async () => {
    const p = await open();
    expect(await healthz()).toBe(200);
    await p.closed;
    expect(p.isOpen()).toBe(false);
  });

  it(`${IDLE_SOCKETS} idle and ${TRICKLING} trickling connections: at most ${LIMITS.maxConnections} stay open, /healthz answers, all are closed in the end`, async () => {
    const trickling = await Promise.all(Array.from({ length: TRICKLING }, () => open()));
    for (const p of trickling) {
      p.socket.write("POST /webhooks/ahnajak HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n");
      trickle(p, 100, () => "x");
    }
    const idle: Probe[] = [];
    for (let i = 0; i < IDLE_SOCKETS; i++) {
      idle.push(await open());
      if (i % 50 === 49) {
        figures.maxOpenSeen = Math.max(figures.maxOpenSeen, await openConnections());
        expect(await healthz()).toBe(200);
      }
    }
    figures.maxOpenSeen = Math.max(figures.maxOpenSeen, await openConnections());
    expect(figures.maxOpenSeen).toBeLessThanOrEqual(LIMITS.maxConnections);
    expect([...trickling, ...idle].filter((p) => p.isOpen()).length).toBeLessThanOrEqual(LIMITS.maxConnections);
    expect(await healthz()).toBe(200);

    // A trickling body is cut by its deadline only, never to make room: it holds a request in progress.
    for (const answer of await Promise.all(trickling.map((p) => p.closed))) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await Promise.all(idle.map((p) => p.closed));
    expect(await healthz()).toBe(200);
    expect(await openConnections()).toBeLessThanOrEqual(1);
  });
});
