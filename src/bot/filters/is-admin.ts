import type { Context } from "grammy";
import type { Config } from "../../config/config.js";

export function isAdmin(config: Config): (ctx: Context) => boolean {
  const admins = new Set(config.bot.adminIds);
  return (ctx) => ctx.from !== undefined && admins.has(ctx.from.id);
}
