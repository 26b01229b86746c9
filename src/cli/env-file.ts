import { parse } from "dotenv";
import { readFileSync } from "node:fs";
import { UsageError } from "./command.js";

/** A merchant's variables from a .env-style file (the format of a single shop's .env). */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read --env-file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parse(text);
}
