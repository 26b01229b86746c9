import "dotenv/config";
import { pathToFileURL } from "node:url";
import { loadConfig, type Config, type ProcessConfig } from "../src/config/config.js";
import { runProgram, type Application } from "../src/main.js";
import { sandboxPage } from "./page/routes.js";
import { startSandbox } from "./start-sandbox.js";

/**
 * The sandbox (`npm start` or `npm run dev` with no configuration): every provider, the panel and Telegram
 * simulated on this machine, the application pointed at them, and the sandbox page mounted beside it.
 */
export async function main(): Promise<void> {
  await runProgram(async () => {
    const sandbox = await startSandbox();
    // sandbox.env names the sandbox's own database; the sandbox flag keeps it on loopback (SANDBOX_HTTP_HOST).
    let config: Config;
    try {
      config = loadConfig({ ...process.env, ...sandbox.env }, { sandbox: true });
    } catch (err) {
      await sandbox.close();
      throw err;
    }
    // The sandbox page asks for open top-ups once the application exists.
    let running: Application<ProcessConfig> | undefined;
    return {
      config,
      mount: (app) =>
        sandboxPage(app, sandbox, {
          panelCurrency: config.panel.currency,
          openTopUps: async () => (running ? running.database.db.topUp.findMany({ where: { status: "PENDING" }, orderBy: { id: "asc" } }) : []),
        }),
      started(app) {
        running = app;
        sandbox.connect(app.url);
        const banner = "=".repeat(72);
        console.log(`\n${banner}\n  SANDBOX MODE: no credentials are set, so every provider, the panel and\n  Telegram are simulated on this machine. No real money moves.\n  Open ${app.url}/sandbox to chat with the bot and pay.\n  Sandbox database (deleted on exit): ${sandbox.databaseFile}\n${banner}\n`);
      },
      close: () => sandbox.close(),
    };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
