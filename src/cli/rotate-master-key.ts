import { readMasterKey } from "../platform/master-key.js";
import { createMerchantStore } from "../platform/merchant-store.js";
import { UsageError, type Command } from "./command.js";

/**
 * `rotate-master-key`: wraps every merchant's data key under NEW_MASTER_KEY too, one merchant at a time, while the
 * platform runs (the wrapping under MASTER_KEY stays, so instances not yet restarted keep reading). Then the
 * operator makes NEW_MASTER_KEY every instance's MASTER_KEY, and `rotate-master-key --finish` drops the old wrappings.
 */
export const rotateMasterKeyCommand: Command = {
  args: "[--finish]",
  summary: "re-wrap every merchant's data key under NEW_MASTER_KEY while the platform runs; after every instance runs with it as MASTER_KEY, --finish forgets the old wrappings",
  minArgs: 0,
  maxArgs: 1,
  needs: "platform",
  async run(args, ctx) {
    const finish = args[0] === "--finish";
    if (args.length > 0 && !finish) throw new UsageError(`rotate-master-key takes only --finish (got "${args[0]}")`);
    const master = readMasterKey(ctx.env);
    const { database, wakeup } = await ctx.services();
    const store = createMerchantStore(database, { wakeup });
    if (finish) {
      const dropped = await store.finishRotation(master);
      ctx.print(`rotation finished: ${dropped} merchant(s) now have their data key under MASTER_KEY (key id ${master.id}) only`);
      return 0;
    }
    const next = readMasterKey(ctx.env, "NEW_MASTER_KEY");
    if (next.id === master.id) throw new UsageError("NEW_MASTER_KEY is MASTER_KEY: generate a new one (`openssl rand -base64 32`)");
    const rotated = await store.rotateMasterKey(master, next);
    ctx.print([
      `${rotated} merchant data key(s) wrapped under NEW_MASTER_KEY (key id ${next.id}); the wrappings under MASTER_KEY (key id ${master.id}) still work`,
      "next: set MASTER_KEY to NEW_MASTER_KEY's value on every instance and restart them, then run `rotate-master-key --finish` with it",
    ].join("\n"));
    return 0;
  },
};
