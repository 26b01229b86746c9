import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { closedPort, startProgram, type Program } from "./program.js";
import { fakeBotToken } from "../support/bot-token.js";

/** A GET over `agent`; resolves with the status and body, or with the error when the connection is cut. */
function get(url: string, agent: Agent): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((done) => {
    const req = request(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => void (body += c));
      res.on("end", () => done({ status: res.statusCode, body }));
      res.on("error", (err) => done({ error: err.message }));
    });
    req.on("error", (err) => done({ error: err.message }));
    req.end();
  });
}

describe("shutdown with open connections (sandbox: its page long-polls)", () => {
  let dir: string;
  let program: Program;
  const agents: Agent[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "khqr-shutdown-"));
    program = startProgram({ DATABASE_URL: `file:${join(dir, "sandbox.db")}`, LOG_LEVEL: "info" }, { entry: "sandbox/main.ts" });
  });
  afterAll(() => {
    program?.kill();
    for (const a of agents) a.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs one info line per handled update, without what the user wrote", async () => {
    const url = await program.url();
    await program.logLine(/started/);
    const sent = await fetch(`${url}/sandbox/api/chats/customer/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "/help secret-words-typed" }) });
    expect(sent.status).toBe(200);
    const line = await program.logLine(/^update$/);
    expect(line).toMatchObject({ level: 30, kind: "message", ok: true });
    expect(typeof line.updateId).toBe("number");
    expect(program.stdout.join("\n")).not.toContain("secret-words-typed");
  });

  it("SIGTERM during a long poll and with an idle keep-alive connection: stopped, exit 0 (not the 10 s forced exit 1)", async () => {
    const url = await program.url();
    await program.logLine(/started/);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const poller = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(keepAlive, poller);
    // One keep-alive connection left idle after a request.
    expect(await get(`${url}/healthz`, keepAlive)).toMatchObject({ status: 200 });
    // The sandbox page's long poll: events after the latest one, held open until one comes or 5 s pass.
    const first = JSON.parse((await get(`${url}/sandbox/api/events?after=0&timeout=0`, poller)).body!) as { lastSeq: number };
    const longPoll = get(`${url}/sandbox/api/events?after=${first.lastSeq}&timeout=5`, poller);
    // Give the poll a moment to reach the server (its answer is due only in 5 s).
    await new Promise((r) => setTimeout(r, 300));

    program.child.kill("SIGTERM");
    expect(await program.exited).toEqual({ code: 0, signal: null });
    const lines = program.stdout.join("\n");
    expect(lines).toContain('"msg":"shutting down"');
    expect(lines).toContain('"msg":"stopped"');
    expect(program.stderr()).toBe("");
    // The long poll was either answered or cut; it did not keep the program alive.
    expect(await longPoll).toBeDefined();
  });
});

describe.runIf(postgresAvailable)("SIGTERM while starting (a supervisor stops it during migrations)", () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let proxy: Server;
  const sockets: Socket[] = [];

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    proxy?.close();
    await created?.dropDatabase();
  });

  it("is carried out once started: shutting down, stopped, exit 0", async () => {
    created = await createPostgresDatabase();
    const target = new URL(created.url);
    // A slow road to PostgreSQL: each connection is held a second before it is passed on, and the first
    // one tells the test that the program is opening its database, so its signal handlers are in place.
    let opening: () => void = () => undefined;
    const openingDatabase = new Promise<void>((resolve) => (opening = resolve));
    proxy = createServer((client) => {
      sockets.push(client);
      opening();
      setTimeout(() => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.push(upstream);
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      }, 1_000);
    });
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", () => done()));
    const via = new URL(created.url);
    via.hostname = "127.0.0.1";
    via.port = String((proxy.address() as { port: number }).port);

    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const program = startProgram({
      DATABASE_URL: via.toString(), LOG_LEVEL: "info", BOT_TOKEN: fakeBotToken(123456, "early-stop-token"), ADMIN_IDS: "7", MERCHANT_NAME: "Shutdown Shop", TELEGRAM_API_ROOT: nowhere,
      BAKONG_API_URL: nowhere, BAKONG_TOKEN: "early-stop-bakong", BAKONG_ACCOUNT_ID: "shop@aclb", PANEL_URL: nowhere, PANEL_API_KEY: "early-stop-panel",
    });
    try {
      await openingDatabase;
      program.child.kill("SIGTERM");
      expect(await program.exited).toEqual({ code: 0, signal: null });
      const lines = program.stdout.join("\n");
      expect(lines).toContain('"msg":"KHQR top-up bot listening; connecting to Telegram"');
      expect(lines).toContain('"signal":"SIGTERM","msg":"shutting down"');
      expect(lines).toContain('"msg":"stopped"');
      expect(program.stderr()).toBe("");
    } finally {
      program.kill();
    }
  });
});
