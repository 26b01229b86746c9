import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Program {
  child: ChildProcess;
  /** Every stdout line so far (JSON log lines and the sandbox banner). */
  stdout: string[];
  stderr(): string;
  exited: Promise<Exit>;
  /** The first stdout log line whose `msg` matches; rejects if the program exits first or `timeoutMs` passes. */
  logLine(msg: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The HTTP server's base URL, from the start-up log line. */
  url(): Promise<string>;
  kill(): void;
}

/**
 * The real program in a child process with exactly `env`: no .env file (DOTENV_CONFIG_PATH points nowhere)
 * and nothing from the developer's environment. `src/main.ts` runs through tsx (as `npm run dev` runs it);
 * `entry: "sandbox/main.ts"` the sandbox; `entry: "dist/main.js"` the compiled build as the Docker image runs
 * it, `entry: "scripts/start.mjs"` the launcher `npm start` runs.
 */
export function startProgram(env: Record<string, string>, opts: { entry?: string } = {}): Program {
  const entry = opts.entry ?? "src/main.ts";
  const child = spawn(process.execPath, entry.endsWith(".ts") ? ["--import", "tsx", entry] : [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", DOTENV_CONFIG_PATH: "/nonexistent/.env", HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  let err = "";
  let partial = "";
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    stdout.push(...lines);
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => void (err += chunk));
  const exited = new Promise<Exit>((done) => child.once("exit", (code, signal) => done({ code, signal })));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of waiters) w();
  });

  const parsed = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const logLine = (msg: RegExp, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((found, fail) => {
      const check = () => {
        const hit = stdout.map(parsed).find((l) => typeof l?.msg === "string" && msg.test(l.msg));
        if (hit) return finish(() => found(hit));
        if (gone) return finish(() => fail(new Error(`the program exited before logging ${msg}; stderr: ${err}`)));
      };
      const timer = setTimeout(() => finish(() => fail(new Error(`no log line ${msg} within ${timeoutMs} ms; stdout: ${stdout.join("\n")}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    logLine,
    url: async () => String((await logLine(/listening/)).url),
    kill: () => void (gone || child.kill("SIGKILL")),
  };
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
