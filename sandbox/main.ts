import "dotenv/config";
import { pathToFileURL } from "node:url";
import { loadConfig, type Config, type ProcessConfig } from "../src/config/config.js";
import { runProgram, type Application, type StartPlan } from "../src/main.js";
import { sandboxPage } from "./page/routes.js";
import { freePort } from "./serve.js";
import { isPlatformSandbox, platformOptions, startPlatformSandbox } from "./start-platform-sandbox.js";
import { startSandbox, type Sandbox } from "./start-sandbox.js";

/**
 * The sandbox (`npm start` or `npm run dev` with no configuration): every provider, the panel and Telegram
 * simulated on this machine, the application pointed at them, and the sandbox page mounted beside it.
 * With `--platform` (`npm run sandbox:platform`): the sandbox of a platform, its shop beside the platform's bot
 * (/newshop) and a second shop waiting to be opened by chat; the page's platform view at /sandbox/platform.
 */
export async function main(): Promise<void> {
  const platform = process.argv.includes("--platform");
  await runProgram(async () => {
    // A platform takes every bot's updates by webhook: its address is known before it listens (HTTP_PORT=0: a free port now).
    const port = Number(process.env.HTTP_PORT?.trim() || 8080) || (await freePort());
    const sandbox: Sandbox = platform ? await startPlatformSandbox(`http://127.0.0.1:${port}`) : await startSandbox();
    // sandbox.env names the sandbox's own database; the sandbox flag keeps it on loopback (SANDBOX_HTTP_HOST).
    let config: Config;
    let platformPlan: Pick<StartPlan, "platform">;
    try {
      config = loadConfig({ ...process.env, ...sandbox.env, ...(platform ? { HTTP_PORT: String(port) } : {}) }, { sandbox: true });
      platformPlan = isPlatformSandbox(sandbox) ? { platform: platformOptions(sandbox) } : {};
    } catch (err) {
      await sandbox.close();
      throw err;
    }
    // The sandbox page asks for open top-ups once the application exists.
    let running: Application<ProcessConfig> | undefined;
    return {
      config,
      ...platformPlan,
      mount: (app) =>
        sandboxPage(app, sandbox, {
          panelCurrency: config.panel.currency,
          openTopUps: async () => (running ? running.database.db.topUp.findMany({ where: { status: "PENDING" }, orderBy: { id: "asc" } }) : []),
        }),
      started(app) {
        running = app;
        sandbox.connect(app.url);
        const banner = "=".repeat(72);
        const open = platform ? `Open ${app.url}/sandbox/platform to open a shop by chat (/newshop),\n  approve it as the operator and top up in either shop.` : `Open ${app.url}/sandbox to chat with the bot and pay.`;
        console.log(`\n${banner}\n  SANDBOX MODE: no credentials are set, so every provider, the panel and\n  Telegram are simulated on this machine. No real money moves.\n  ${open}\n  Sandbox database (deleted on exit): ${sandbox.databaseFile}\n${banner}\n`);
      },
      close: () => sandbox.close(),
    };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
