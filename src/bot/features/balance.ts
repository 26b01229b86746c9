import { Composer } from "grammy";
import { PanelError } from "../../panel/panel-client.js";
import type { BotContext } from "../context.js";
import type { FeatureDeps } from "../deps.js";
import { money } from "../format.js";
import { linkButton, MENU } from "../keyboards/main-menu.js";
import { currentUser } from "../middlewares/users.js";

/**
 * The panel balance, live where the panel can tell it, else the last one we saw (said to be possibly old).
 * Only after the customer has paid into the linked login: typing a login proves nothing.
 */
export function balanceFeature(deps: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { panel, customers } = deps;
  const currency = deps.config.panel.currency;

  const show = async (ctx: BotContext) => {
    const user = await currentUser(customers, ctx);
    const login = user.panelLogin;
    if (!login) return ctx.reply(ctx.t("link-needed"), { reply_markup: linkButton(ctx.t) });
    if (!(await customers.hasPaidInto(user.id, login))) return ctx.reply(ctx.t("balance-private", { login }));
    if (panel.capabilities.findUser && panel.findUser) {
      try {
        const found = await panel.findUser(login);
        if (!found) return ctx.reply(ctx.t("balance-login-missing", { login }), { reply_markup: linkButton(ctx.t) });
        if (found.balanceMinor !== undefined) {
          await customers.rememberBalance(user.id, login, found.balanceMinor);
          return ctx.reply(ctx.t("balance-now", { login, balance: money(found.balanceMinor, currency) }));
        }
      } catch (err) {
        if (!(err instanceof PanelError)) throw err;
        deps.log.warn({ kind: err.kind, msg: err.message }, "panel balance lookup failed");
      }
    }
    if (user.lastBalanceMinor === null) return ctx.reply(ctx.t("balance-unknown", { login }));
    return ctx.reply(ctx.t("balance-last-known", { login, balance: money(user.lastBalanceMinor, currency) }));
  };

  composer.command("balance", show);
  composer.callbackQuery(MENU.balance, async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx);
  });
  return composer;
}
