import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm start` and `npm run dev` with no credentials run the sandbox. Here it runs as a real child process whose
 * environment and .env look like a live install's (HTTP_HOST=0.0.0.0, DATABASE_URL pointing at
 * ./data/bot.db, which exists and holds data): the sandbox must use its own temporary database and
 * name it in its banner, leave the live file untouched, listen on 127.0.0.1 only, and apply the HTTP
 * limits of a live server.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const LIVE_BYTES = Buffer.from("live install data: must never be opened by the sandbox\n");

let dir: string;
let child: ChildProcess;
let stdout = "";
let banner: { url: string; port: number; databaseFile: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "khqr-sandbox-iso-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "tmp"));
  writeFileSync(join(dir, "data", "bot.db"), LIVE_BYTES);
  // What a careless copy of an old .env.example would set.
  writeFileSync(join(dir, ".env"), "HTTP_HOST=0.0.0.0\nDATABASE_URL=file:./data/bot.db\nREDIS_URL=redis://127.0.0.1:6379/15\n");
  // What `npm run dev` runs: it chooses the sandbox because nothing identifies a live deployment.
  child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "scripts", "dev.ts")], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", TMPDIR: join(dir, "tmp"), HTTP_HOST: "0.0.0.0", HTTP_PORT: "0", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  banner = await new Promise((done, fail) => {
    const look = () => {
      const url = /Open (http:\/\/[^\s]+)\/sandbox/.exec(stdout)?.[1];
      const databaseFile = /Sandbox database \(deleted on exit\): (\S+)/.exec(stdout)?.[1];
      if (url && databaseFile) done({ url, port: Number(new URL(url).port), databaseFile });
    };
    child.stdout!.on("data", look);
    child.once("exit", (code) => fail(new Error(`the sandbox exited (${code}) before its banner:\n${stdout}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Local addresses listening on `port`, from the kernel's own table (hex "0100007F" is 127.0.0.1). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"]
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, "utf8").split("\n").slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A")
    .map((cols) => cols[1]!.split(":")[0]!);
}

describe("the sandbox never touches live data", { timeout: 60_000 }, () => {
  it("uses its own temporary database, named in its banner, and leaves ./data/bot.db alone", async () => {
    expect(banner.databaseFile.startsWith(join(dir, "tmp"))).toBe(true);
    expect(existsSync(banner.databaseFile)).toBe(true);
    const info = await fetch(`${banner.url}/sandbox/api/info`);
    expect(info.status).toBe(200);
    expect(readFileSync(join(dir, "data", "bot.db"))).toEqual(LIVE_BYTES);
    expect(readdirSync(join(dir, "data"))).toEqual(["bot.db"]);
  });

  it("listens on 127.0.0.1 only, whatever HTTP_HOST says", () => {
    expect(new URL(banner.url).hostname).toBe("127.0.0.1");
    expect(listeningAddresses(banner.port)).toEqual(["0100007F"]);
  });

  it("applies the live server's limits: a trickled body is cut off with 408", async () => {
    const socket = connect(banner.port, "127.0.0.1");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.on("error", () => {});
    await new Promise((r) => socket.once("connect", r));
    socket.write("POST /webhooks/bakong HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n");
    let sent = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write("x");
      sent++;
    }, 100);
    await new Promise((r) => socket.once("close", r));
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(50_000);
  });

  it("removes its database on exit and never created the live one's journal", async () => {
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(existsSync(banner.databaseFile)).toBe(false);
    expect(readdirSync(join(dir, "tmp")).filter((name) => name.startsWith("khqr-sandbox-"))).toEqual([]);
    expect(readFileSync(join(dir, "data", "bot.db"))).toEqual(LIVE_BYTES);
    expect(readdirSync(join(dir, "data"))).toEqual(["bot.db"]);
  });
});
