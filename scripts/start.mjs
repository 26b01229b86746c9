// `npm start` (after its pre-start build of dist/): the live program when anything is configured; with no
// configuration at all, the sandbox, built on first use (`node scripts/build.mjs sandbox`). The Docker image
// and a service manager start `node dist/main.js` directly, which has no sandbox.
import "dotenv/config";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { isUnconfigured } = await import("../dist/config/config.js");
if (isUnconfigured(process.env)) {
  const built = spawnSync(process.execPath, ["scripts/build.mjs", "sandbox"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
  await (await import("../dist-sandbox/sandbox/main.js")).main();
} else {
  await (await import("../dist/main.js")).main();
}
