import type { Logger } from "../../logger.js";

/** What every per-party check gets. */
export interface CheckDeps {
  log: Logger;
  timeoutMs: number;
  now: () => number;
}

/** A short, single-line quote of an outside party's answer for a check line. */
export function quote(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The message of anything thrown, for a check line. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
