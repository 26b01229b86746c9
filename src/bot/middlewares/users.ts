import type { MiddlewareFn } from "grammy";
import type { Customers } from "../../customers/customers.js";
import type { User } from "../../generated/sqlite/client.js";
import type { BotContext } from "../context.js";

const REMEMBERED = 10_000;

/**
 * Keeps the user row (name, username, language) current with one upsert, skipped when this instance
 * already wrote the same values. The notifier reads `language` to write to the user later.
 */
export function syncUsers(customers: Customers): MiddlewareFn<BotContext> {
  const written = new Map<number, string>();
  return async (ctx, next) => {
    const from = ctx.from;
    if (from && !from.is_bot) {
      const language = await ctx.i18n.getLocale();
      const fields = { username: from.username ?? null, firstName: from.first_name, language };
      const signature = JSON.stringify(fields);
      if (written.get(from.id) !== signature) {
        await customers.save(from.id, fields);
        written.delete(from.id);
        written.set(from.id, signature);
        if (written.size > REMEMBERED) written.delete(written.keys().next().value!);
      }
    }
    await next();
  };
}

/** The user row of the sender; `syncUsers` created it earlier in this update. */
export async function currentUser(customers: Customers, ctx: Pick<BotContext, "from">): Promise<User> {
  return customers.get(ctx.from!.id);
}
