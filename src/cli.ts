import "dotenv/config";
import { UsageError } from "./cli/command.js";
import { findCommand, usage } from "./cli/commands.js";
import { takeMerchant } from "./cli/merchant-option.js";
import { ConfigError, loadConfig, SECRET_VARIABLES, type Config } from "./config/config.js";
import { DatabaseOpenError } from "./db/open-errors.js";
import { createLogger } from "./logger.js";
import { openServices, type Services } from "./services.js";

/**
 * Operator commands (`npm run cli -- <command>`) on the services the admin bot commands use, built by the
 * same builder as the bot's (src/services.ts). Opens the database, runs one command, closes; never starts
 * the bot or workers. Only `migrate` creates or migrates a database: the others open an existing, migrated
 * one, read-only when they only read. Exit codes: 0 done, 1 the command failed, 2 bad usage or configuration.
 */
async function main([name, ...words]: string[]): Promise<number> {
  if (name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return 0;
  }
  const command = name === undefined ? undefined : findCommand(name);
  if (!command) {
    console.error(`${name === undefined ? "no command given" : `unknown command: ${name}`}\n\n${usage()}`);
    return 2;
  }
  let merchant: ReturnType<typeof takeMerchant>;
  try {
    merchant = takeMerchant(words);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${usage()}`);
    return 2;
  }
  const { merchantId, rest: args } = merchant;
  if (args.length < command.minArgs || args.length > command.maxArgs) {
    console.error(`wrong arguments for ${name}\n\n${usage()}`);
    return 2;
  }

  let config: Config;
  try {
    config = loadConfig(process.env, { databaseOnly: command.needs !== "outside" });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
  // Logs go to stderr: stdout carries the command's output (a CSV report can be piped to a file).
  const log = createLogger({ level: config.runtime.logLevel, secrets: SECRET_VARIABLES.map((v) => process.env[v]), destination: process.stderr });
  let services: Promise<Services> | undefined;
  try {
    return await command.run(args, {
      config,
      env: process.env,
      log,
      services: () => (services ??= openServices(config, { log, merchantId, existing: command.needs === "database" ? "read-only" : "read-write" })),
      print: (text) => console.log(text),
    });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage()}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof DatabaseOpenError) {
      console.error(err.message);
      return 1;
    }
    console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await (await services?.catch(() => undefined))?.close();
  }
}

process.exit(await main(process.argv.slice(2)));
