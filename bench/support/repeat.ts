/** The median of several runs of one figure, with the smallest and largest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
}

/** Median (the mean of the middle two for an even count), min and max of the values. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...values] };
}

/**
 * Runs `fn` `times` times, one after the other, and returns every run's result. Pick figures from them
 * with `spread(runs, (r) => r.figure)`.
 */
export async function repeatRuns<T>(times: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await fn(i));
  return results;
}

/** One figure across runs: `spread(runs, (r) => r.rate)`. */
export function spread<T>(runs: readonly T[], pick: (run: T) => number): Spread {
  return spreadOf(runs.map(pick));
}

/** Runs a function returning one number `times` times: its median, min and max. */
export async function repeat(times: number, fn: (run: number) => Promise<number>): Promise<Spread> {
  return spreadOf(await repeatRuns(times, fn));
}

/** "12.3 ms (11.0–14.2)": the median formatted by `format`, then the range of the runs. */
export function formatSpread(s: Spread, format: (value: number) => string): string {
  if (s.runs.length <= 1 || s.min === s.max) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}
