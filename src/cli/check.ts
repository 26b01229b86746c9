import { formatCheck, runSelfCheck } from "../startup/self-check.js";
import type { Command } from "./command.js";

/** `check`: every credential and PUBLIC_URL, one line each (src/startup/self-check.ts); exit 1 when any fails. */
export const checkCommand: Command = {
  args: "",
  summary: "check Telegram, the panel, each provider and PUBLIC_URL with harmless calls, one ✓/✗ line each (no bot needs to run)",
  minArgs: 0,
  maxArgs: 0,
  needs: "outside",
  async run(_args, ctx) {
    const results = await runSelfCheck(ctx.config, { log: ctx.log, publicUrl: "listen" });
    for (const r of results) ctx.print(formatCheck(r));
    const failed = results.filter((r) => !r.ok).length;
    ctx.print(failed === 0 ? "\nall checks passed" : `\n${failed} check(s) failed: fix them before customers pay`);
    return failed === 0 ? 0 : 1;
  },
};
