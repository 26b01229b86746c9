import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/core.js";
import { startProgram, type Program } from "./program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

beforeAll(async () => {
  await run("npm", ["run", "build", "--silent"], { cwd: ROOT, timeout: 240_000 });
}, 300_000);

describe("the production build (npm run build → dist/, node dist/main.js as the Docker image runs it)", () => {
  it("holds no file of the sandbox: no simulator, no fake Telegram, no sandbox page", () => {
    const files = filesUnder(join(ROOT, "dist"));
    expect(files).toContain("main.js");
    expect(files.filter((f) => /sandbox|simulator/i.test(f))).toEqual([]);
    // Every compiled or copied file comes from src/ (a stale or foreign module would show here).
    const fromSrc = (f: string) => existsSync(join(ROOT, "src", f)) || existsSync(join(ROOT, "src", f.replace(/\.(d\.ts|js\.map|js)$/, ".ts")));
    expect(files.filter((f) => !f.startsWith(".") && !fromSrc(f))).toEqual([]);
  });

  it("started with no configuration, names what a live start needs in one line and exits 2", async () => {
    const program = startProgram({}, { entry: "dist/main.js" });
    expect(await program.exited).toEqual({ code: 2, signal: null });
    const lines = program.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/BOT_TOKEN.*PANEL_URL.*npm start/);
    expect(program.stdout.join("")).toBe("");
  });
});

/**
 * The compiled sandbox as `npm start` runs it with no configuration: scripts/start.mjs builds dist-sandbox/
 * and starts it. Start-up reads the locales, the card fonts and the migrations, and the sandbox page serves
 * its files, so a file either build leaves behind shows here.
 */
describe("npm start with no configuration (scripts/start.mjs: the compiled sandbox)", () => {
  let dir: string;
  let program: Program;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-compiled-"));
    program = startProgram({ DATABASE_URL: `file:${join(dir, "bot.db")}`, LOG_LEVEL: "info" }, { entry: "scripts/start.mjs" });
    url = await program.url();
    await program.logLine(/started/);
  }, 300_000);
  afterAll(() => {
    program?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts the sandbox and serves /healthz and the sandbox page with its files", async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/sandbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    for (const file of ["page.js", "chat.js", "dom.js", "page.css"]) expect((await fetch(`${url}/sandbox/${file}`)).status, file).toBe(200);
  });

  it("answers a customer in English from the compiled locales", async () => {
    const sent = await fetch(`${url}/sandbox/api/chats/customer/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "/help" }) });
    expect(sent.status).toBe(200);
    expect(await program.logLine(/^update$/)).toMatchObject({ kind: "message", ok: true });
    const { messages } = (await (await fetch(`${url}/sandbox/api/chats/customer/messages`)).json()) as { messages: { text: string }[] };
    // A missing locale file shows as the bare message key ("help-text"), not as a sentence.
    const answers = messages.map((m) => m.text).filter((text) => text !== "/help");
    expect(answers.length).toBeGreaterThan(0);
    for (const text of answers) expect(text).toMatch(/\s/);
  });

  it("the compiled CLI reads the running sandbox's database with DATABASE_URL alone", async () => {
    // The sandbox keeps its own temporary database (named in its banner), whatever DATABASE_URL says.
    const database = await eventually(async () => /Sandbox database \(deleted on exit\): (\S+)/.exec(program.stdout.join("\n"))?.[1], "the sandbox banner", 10_000);
    const { stdout } = await run(process.execPath, ["dist/cli.js", "pending"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", DOTENV_CONFIG_PATH: join(dir, "absent.env"), DATABASE_URL: `file:${database}` } });
    expect(stdout).toMatch(/open top-up\(s\), \d+ held credit\(s\)/);
  });

  it("stops on SIGTERM with exit 0", async () => {
    program.child.kill("SIGTERM");
    expect(await program.exited).toEqual({ code: 0, signal: null });
  });
});
