import { cpus, loadavg, totalmem } from "node:os";

/** One measured figure, already formatted for people ("1,234 /s", "3.2 ms"). */
export interface Figure {
  label: string;
  value: string;
}

/** A target and whether this run met it. */
export interface Target {
  label: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** What each benchmark's `run()` returns. */
export interface BenchResult {
  name: string;
  title: string;
  /** How it was measured, one line each (setup, baseline, sample sizes). */
  method: string[];
  figures: Figure[];
  targets: Target[];
  /** Findings and explanations worked out from this run's numbers. */
  notes: string[];
}

/** How busy the machine was: 1-minute load average, and the share of a core a busy loop got. */
export interface Load {
  loadAvg1: number;
  cpuShare: number;
}

/** A result as stored in docs/BENCHMARKS.md: with when, where, how busy and how long. */
export interface StoredResult extends BenchResult {
  date: string;
  machine: Machine;
  wallSeconds: number;
  loadBefore?: Load;
  loadAfter?: Load;
}

let _spinSink = 0;

/** Spins for `millis` and reports the CPU time it got per wall time: 1.0 on an otherwise idle core. */
export function probeLoad(millis = 300): Load {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < millis) for (let i = 0; i < 10_000; i++) _spinSink += i & 7;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  return { loadAvg1: loadavg()[0]!, cpuShare: Math.min(1, (cpu.user + cpu.system) / 1000 / wall) };
}

export function machine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Nearest-rank percentile of already sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, mean };
}

/** 1234.5 → "1,235"; small numbers keep `digits` significant decimals. */
export function num(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const places = abs >= 100 ? 0 : abs >= 10 ? Math.min(digits, 1) : digits;
  return value.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
}

export const ms = (value: number, digits = 1) => `${num(value, digits)} ms`;
export const perSec = (value: number) => `${num(value, 0)} /s`;
export const ratio = (value: number) => `${num(value, 2)}×`;
export const pct = (value: number) => `${num(value * 100, 0)} %`;
export const mib = (bytes: number) => `${num(bytes / 2 ** 20, 1)} MiB`;

export const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));

/** Runs a full GC when the process was started with --expose-gc (bench/run.ts does that). */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

/** Node options for a child process that runs TypeScript: tsx's loader, found from here (not from the cwd). */
export const TSX_EXEC_ARGV = ["--import", import.meta.resolve("tsx")];
