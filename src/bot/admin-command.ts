import { Composer, GrammyError, type CallbackQueryContext, type CommandContext } from "grammy";
import { PanelError } from "../panel/panel-client.js";
import { ProviderError } from "../payments/provider.js";
import type { BotContext } from "./context.js";
import type { BotDeps } from "./deps.js";
import { isAdmin } from "./filters/is-admin.js";
import { splitMessage } from "./format.js";

type AdminHandler<C> = (ctx: C) => Promise<unknown>;

/**
 * Admin commands on a composer that only admins reach; everyone else falls through to "unknown command".
 * A failure is told to the admin with its message (admin-facing) instead of the customer apology.
 */
export class AdminComposer {
  readonly composer = new Composer<BotContext>();
  private readonly admins;

  constructor(private readonly deps: BotDeps) {
    this.admins = this.composer.filter(isAdmin(deps.config));
  }

  command(name: string, handler: AdminHandler<CommandContext<BotContext>>): this {
    this.admins.command(name, (ctx) => this.guard(name, ctx, handler));
    return this;
  }

  callbackQuery(data: RegExp, handler: AdminHandler<CallbackQueryContext<BotContext>>): this {
    this.admins.callbackQuery(data, (ctx) => this.guard(String(data), ctx, handler));
    return this;
  }

  private async guard<C extends BotContext>(what: string, ctx: C, handler: AdminHandler<C>): Promise<void> {
    try {
      await handler(ctx);
    } catch (err) {
      this.deps.log.error({ err, command: what, adminId: ctx.from?.id }, "admin command failed");
      await ctx.reply(ctx.t("admin-failed", { message: adminFacing(ctx, err) }));
    }
  }
}

/** Panel, provider and Telegram errors carry messages written for admins (secrets scrubbed); others stay in the log. */
function adminFacing(ctx: BotContext, err: unknown): string {
  if (err instanceof PanelError || err instanceof ProviderError || err instanceof GrammyError) return err.message;
  return ctx.t("admin-failed-internal");
}

/** Long lists split at Telegram's message size. */
export async function replyLong(ctx: BotContext, text: string): Promise<void> {
  for (const part of splitMessage(text)) await ctx.reply(part);
}

/** The words after the command. */
export function args(ctx: CommandContext<BotContext>): string[] {
  return ctx.match.trim().split(/\s+/).filter(Boolean);
}
