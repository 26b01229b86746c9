import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { BENCHMARKS, type BenchName } from "./registry.js";
import type { Load, StoredResult } from "./result.js";

const DATA_START = "<!-- bench-data";
const DATA_END = "-->";

/** The results stored in the file by earlier runs, by benchmark name. */
export function readStored(path: string): Record<string, StoredResult> {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, "utf8");
  const at = text.lastIndexOf(DATA_START);
  if (at < 0) return {};
  const end = text.indexOf(DATA_END, at);
  try {
    return JSON.parse(text.slice(at + DATA_START.length, end)) as Record<string, StoredResult>;
  } catch {
    return {};
  }
}

/** Writes the whole file from the stored results (earlier runs' sections are kept as they were). */
export function writeReport(path: string, results: Record<string, StoredResult>): void {
  writeFileSync(path, renderMarkdown(results));
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const mark = (met: boolean) => (met ? "✅ met" : "❌ missed");

const loadText = (l: Load | undefined) => (l ? `load ${l.loadAvg1.toFixed(1)}, ${Math.round(l.cpuShare * 100)} % of a core for a busy loop` : "not recorded");

function machineLine(r: StoredResult): string {
  const m = r.machine;
  return `${r.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}) · ${r.wallSeconds.toFixed(0)} s · ` +
    `machine before: ${loadText(r.loadBefore)}; after: ${loadText(r.loadAfter)}`;
}

export function renderMarkdown(results: Record<string, StoredResult>): string {
  const ordered = (Object.keys(BENCHMARKS) as BenchName[]).map((name) => results[name]).filter((r): r is StoredResult => r !== undefined);
  const lines: string[] = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (`bench/run.ts`); do not edit by hand, re-run instead. `npm run bench -- <name>` re-runs one",
    "benchmark and updates only its section. Each benchmark runs in its own Node process (`--expose-gc`), on loopback, against",
    "the sandbox simulators; load generators run in a separate process. Timings are given as absolute values and as ratios",
    "against a baseline measured in the same run, named in each section. Each section also records the machine's 1-minute",
    "load average and the share of a core a 0.3 s busy loop got just before and after it: on a shared machine absolute",
    "times stretch with the load, while CPU-time figures and same-run ratios are steadier. A figure followed by a range in",
    "brackets is the median of several runs with the lowest and highest (bench/support/repeat.ts); the section says how many.",
    "The headlines are `sustained`: payments recorded and credited per second with the credit backlog flat, not ingest alone, for one",
    "merchant; and `sustained-platform`: recorded, credited and receipted across 100 merchants' bots with both backlogs flat.",
    "",
    "## Summary",
    "",
    "| Benchmark | Target | Measured | Result |",
    "|---|---|---|---|",
  ];
  for (const r of ordered) {
    for (const t of r.targets) lines.push(`| ${cell(r.title)}: ${cell(t.label)} | ${cell(t.target)} | ${cell(t.measured)} | ${mark(t.met)} |`);
  }
  const machines = new Set(ordered.map((r) => JSON.stringify(r.machine)));
  if (machines.size > 1) lines.push("", "_The sections below were measured on different machines; compare with care._");

  for (const r of ordered) {
    lines.push("", `## ${r.title} (\`bench/${r.name}.ts\`)`, "", `_${machineLine(r)}_`, "", "**How**", "");
    for (const m of r.method) lines.push(`- ${m}`);
    lines.push("", "| Figure | Value |", "|---|---|");
    for (const f of r.figures) lines.push(`| ${cell(f.label)} | ${cell(f.value)} |`);
    if (r.targets.length === 0) lines.push("", "_No target is set for this benchmark; the figures are for reference._");
    else {
      lines.push("", "| Target | Wanted | Measured | Result |", "|---|---|---|---|");
      for (const t of r.targets) lines.push(`| ${cell(t.label)} | ${cell(t.target)} | ${cell(t.measured)} | ${mark(t.met)} |`);
    }
    if (r.notes.length > 0) {
      lines.push("", "**Notes**", "");
      for (const n of r.notes) lines.push(`- ${n}`);
    }
  }
  // Machine-readable copy, so a single-benchmark run can rewrite the file and keep the other sections.
  const data = JSON.stringify(results).replaceAll("--", "-\\u002d");
  lines.push("", `${DATA_START} ${data} ${DATA_END}`, "");
  return lines.join("\n");
}

/** The figures and targets of one result, for the terminal. */
export function renderText(r: StoredResult): string {
  const width = Math.max(...r.figures.map((f) => f.label.length), ...r.targets.map((t) => t.label.length + 8));
  const out = [`\n== ${r.title} (${r.name}) · ${r.wallSeconds.toFixed(0)} s · before: ${loadText(r.loadBefore)}; after: ${loadText(r.loadAfter)}`];
  for (const f of r.figures) out.push(`  ${f.label.padEnd(width)}  ${f.value}`);
  for (const t of r.targets) out.push(`  ${`target: ${t.label}`.padEnd(width)}  ${t.measured} (want ${t.target}) ${t.met ? "MET" : "MISSED"}`);
  for (const n of r.notes) out.push(`  · ${n}`);
  return out.join("\n");
}
