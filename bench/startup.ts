/**
 * Start-up to the first answered /healthz and idle memory of the whole program as an operator starts it:
 * the compiled sandbox (`node dist-sandbox/sandbox/main.js`, what `npm start` runs with no configuration; the
 * live `node dist/main.js` loads the same application modules) beside the TypeScript run through tsx.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ms, num, summarize, type BenchResult, type Figure, type Target } from "./support/result.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 5;
/** Idle time after start-up before memory is read: the sandbox's first polls and the bot's set-up are over. */
const SETTLE_MS = 3_000;
const GIVE_UP_MS = 60_000;

interface Variant {
  label: string;
  command: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { label: "compiled: node dist-sandbox/sandbox/main.js", command: process.execPath, args: ["dist-sandbox/sandbox/main.js"] },
  { label: "compiled through npm: npm start (pre-start build skipped)", command: "npm", args: ["start", "--silent", "--ignore-scripts"] },
  { label: "TypeScript through the tsx CLI: tsx sandbox/main.ts", command: join(ROOT, "node_modules/.bin/tsx"), args: ["sandbox/main.ts"] },
];

/** A bare node:http server answering /healthz: what any Node program costs to start. */
const BASELINE: Variant = {
  label: "baseline: bare node:http server",
  command: process.execPath,
  args: ["-e", "require('node:http').createServer((q,s)=>s.end('ok')).listen(Number(process.env.HTTP_PORT),'127.0.0.1')"],
};

interface Run {
  healthzMs: number;
  rssMiB: number;
  processes: number;
  stopMs: number;
  /** The exit code, or the signal that ended the process. */
  exit: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Resident memory of `pid` and every process below it, from /proc (pages shared between them count once per process). */
function treeRss(pid: number): { mib: number; processes: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let kib = 0;
  for (const p of tree) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return { mib: kib / 1024, processes: tree.length };
}

const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));

async function startOnce(variant: Variant): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "khqr-bench-startup-"));
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, DOTENV_CONFIG_PATH: join(dir, "absent.env"), HTTP_PORT: String(port), DATABASE_URL: `file:${join(dir, "bot.db")}`, LOG_LEVEL: "silent" };
  const t0 = performance.now();
  const child = spawn(variant.command, variant.args, { cwd: ROOT, env, stdio: "ignore" });
  const exited = new Promise<string>((done) => child.once("exit", (code, signal) => done(code === null ? String(signal) : String(code))));
  try {
    let healthzMs = Number.NaN;
    while (performance.now() - t0 < GIVE_UP_MS) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) {
        healthzMs = performance.now() - t0;
        break;
      }
      await sleep(10);
    }
    if (Number.isNaN(healthzMs)) throw new Error(`${variant.label}: no /healthz within ${GIVE_UP_MS / 1000} s`);
    await sleep(SETTLE_MS);
    const rss = treeRss(child.pid!);
    const t1 = performance.now();
    child.kill("SIGTERM");
    const exit = await exited;
    return { healthzMs, rssMiB: rss.mib, processes: rss.processes, stopMs: performance.now() - t1, exit };
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  // The first `npm start` on a fresh clone compiles everything; the second finds nothing changed (scripts/build.mjs).
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  rmSync(join(ROOT, "dist-sandbox"), { recursive: true, force: true });
  const timedBuild = () => {
    const t0 = performance.now();
    execFileSync(process.execPath, ["scripts/build.mjs", "sandbox"], { cwd: ROOT, stdio: "ignore" });
    return performance.now() - t0;
  };
  const buildMs = timedBuild();
  const rebuildMs = timedBuild();

  const results = new Map<string, Run[]>();
  // Interleaved, so a change in the machine's load touches every variant alike.
  for (let i = 0; i < RUNS; i++) {
    for (const variant of [BASELINE, ...VARIANTS]) {
      const list = results.get(variant.label) ?? [];
      list.push(await startOnce(variant));
      results.set(variant.label, list);
    }
  }
  const median = (label: string, pick: (r: Run) => number) => summarize(results.get(label)!.map(pick).sort((a, b) => a - b)).p50;
  const base = median(BASELINE.label, (r) => r.healthzMs);
  const [compiled, viaNpm, tsx] = VARIANTS.map((v) => v.label) as [string, string, string];

  const figures: Figure[] = [
    { label: "build with the sandbox, first (no dist/, no dist-sandbox/: tsc twice, plus asset copy)", value: ms(buildMs, 0) },
    { label: "build with the sandbox, second (nothing changed: no compile, no copy)", value: ms(rebuildMs, 0) },
  ];
  for (const variant of [BASELINE, ...VARIANTS]) {
    const runs = results.get(variant.label)!;
    const up = summarize(runs.map((r) => r.healthzMs).sort((a, b) => a - b));
    figures.push({ label: `${variant.label}: start to first /healthz, median (min–max)`, value: `${ms(up.p50, 0)} (${ms(Math.min(...runs.map((r) => r.healthzMs)), 0)}–${ms(up.max, 0)})${variant === BASELINE ? "" : `, ${num(up.p50 / base, 1)}× baseline`}` });
    figures.push({ label: `${variant.label}: idle RSS of the process tree ${SETTLE_MS / 1000} s after /healthz, median (processes)`, value: `${num(median(variant.label, (r) => r.rssMiB), 0)} MiB (${runs[0]!.processes})` });
    if (variant !== BASELINE) {
      figures.push({ label: `${variant.label}: SIGTERM to exit, median; how it exited`, value: `${ms(median(variant.label, (r) => r.stopMs), 0)}; ${[...new Set(runs.map((r) => r.exit))].join(", ")}` });
    }
  }

  const npmStart = median(viaNpm, (r) => r.healthzMs);
  figures.push({
    label: "npm start on a fresh clone / the second npm start (build + start to first /healthz)",
    value: `${ms(buildMs + npmStart, 0)} / ${ms(rebuildMs + npmStart, 0)}`,
  });
  const targets: Target[] = [
    {
      label: "Second npm start: the build step when nothing changed",
      target: "no recompile (≤ 10 % of the first build)",
      measured: `${ms(rebuildMs, 0)} vs ${ms(buildMs, 0)}`,
      met: rebuildMs <= buildMs / 10,
    },
    {
      label: "Compiled start-up vs the tsx run",
      target: "faster",
      measured: `${ms(median(compiled, (r) => r.healthzMs), 0)} vs ${ms(median(tsx, (r) => r.healthzMs), 0)}`,
      met: median(compiled, (r) => r.healthzMs) < median(tsx, (r) => r.healthzMs),
    },
    {
      label: "Compiled idle RSS vs the tsx run",
      target: "smaller",
      measured: `${num(median(compiled, (r) => r.rssMiB), 0)} MiB vs ${num(median(tsx, (r) => r.rssMiB), 0)} MiB`,
      met: median(compiled, (r) => r.rssMiB) < median(tsx, (r) => r.rssMiB),
    },
    {
      label: "node dist/main.js and tsx stopped on SIGTERM with exit 0",
      target: "all",
      measured: `${[compiled, tsx].flatMap((label) => results.get(label)!).filter((r) => r.exit === "0").length} of ${2 * RUNS}`,
      met: [compiled, tsx].every((label) => results.get(label)!.every((r) => r.exit === "0")),
    },
  ];

  return {
    name: "startup",
    title: "Start-up and idle memory, compiled vs tsx",
    method: [
      `Each variant started ${RUNS} times as a child process, interleaved with the others, in sandbox configuration (no credentials: the simulators and the fake Telegram run inside the process), a fresh SQLite file each time (migrations included), LOG_LEVEL silent.`,
      "Start-up: from spawn to the first 200 from GET /healthz, polled every 10 ms. The HTTP server starts before the bot connects to Telegram, so this is also the time until provider webhooks are taken.",
      `Memory: VmRSS summed over the started process and all its descendants (npm, sh, the tsx CLI and its node child where present), ${SETTLE_MS / 1000} s after the first /healthz. Then SIGTERM and the time to exit.`,
      "Baseline: a bare node:http server started with node -e, same port polling.",
      "The compiled build and sandbox are built first from empty dist/ and dist-sandbox/ (node scripts/build.mjs sandbox, timed: what the first `npm start` with no configuration compiles), then once more with nothing changed (timed: what a second `npm start` spends before starting); `npm start --ignore-scripts` skips the pre-start build in the start-up runs.",
    ],
    figures,
    targets,
    notes: [
      `npm itself exits on SIGTERM at once (${[...new Set(results.get(viaNpm)!.map((r) => r.exit))].join(", ")}) while the program below it is still stopping: under a supervisor (systemd, Docker) start \`node dist/main.js\` directly, as the Dockerfile does, so the supervisor waits for the program's own graceful stop.`,
      `Compiled, the program reaches /healthz in ${num(median(compiled, (r) => r.healthzMs) / median(tsx, (r) => r.healthzMs), 2)}× the time of the tsx run and uses ${num(median(compiled, (r) => r.rssMiB) / median(tsx, (r) => r.rssMiB), 2)}× its memory; npm in front adds ${num(median(viaNpm, (r) => r.rssMiB) - median(compiled, (r) => r.rssMiB), 0)} MiB and ${ms(median(viaNpm, (r) => r.healthzMs) - median(compiled, (r) => r.healthzMs), 0)}.`,
    ],
  };
}
