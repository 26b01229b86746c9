import type { Config } from "../config/config.js";
import type { Env } from "../config/reader.js";
import type { Logger } from "../logger.js";
import type { Services } from "../services.js";

/** Bad arguments found once the command runs: the runner prints it with the usage and exits 2. */
export class UsageError extends Error {}

export interface CommandContext {
  config: Config;
  /** The process's environment (a platform command reads PUBLIC_URL, MASTER_KEY and the process-wide variables). */
  env: Env;
  log: Logger;
  /** Opens the database and builds the admin service on first use; the runner closes them. */
  services(): Promise<Services>;
  /** Writes a line to stdout. */
  print(text: string): void;
}

export interface Command {
  args: string;
  summary: string;
  minArgs: number;
  maxArgs: number;
  /**
   * "database": reads or changes only the database, so DATABASE_URL is the only variable it needs (credentials
   * that are set are still checked). "outside": calls the panel or a provider, so needs the full configuration.
   * "platform": changes a platform's merchants: DATABASE_URL here, PUBLIC_URL and MASTER_KEY read by the command.
   */
  needs: "database" | "outside" | "platform";
  /** Returns the exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}
