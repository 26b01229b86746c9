import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI (`src/cli.ts`) in a child process with exactly `env`, so neither the developer's environment
 * nor a .env file leaks in (pass DOTENV_CONFIG_PATH pointing at a file that does not exist).
 */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
