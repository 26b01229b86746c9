import { Composer } from "grammy";
import { parsePeriod } from "../../admin/period.js";
import { dateTime } from "../../bot/format.js";
import { MerchantRefusal, type MerchantRecord } from "../../platform/merchant-store.js";
import { merchantWebhookAddresses } from "../../platform/webhook-addresses.js";
import { verificationOf } from "../../platform/test-payments.js";
import { formatCheck, runSelfCheck } from "../../startup/self-check.js";
import type { OperatorContext, OperatorDeps } from "../context.js";
import { platformReportText } from "./platform-report.js";
import { testPaymentOffer } from "./test-payment-offer.js";

/** Audit actions of a merchant's own /pause and /resume. */
export const MERCHANT_PAUSED_ACTION = "merchant_paused";
export const MERCHANT_RESUMED_ACTION = "merchant_resumed";

/**
 * A merchant's own shop, for whoever is its admin (ADMIN_IDS; onboarding makes the merchant it): `/myshop` (state,
 * its verification, today's counts, the self-check, and the test payment's button), `/pause` and `/resume` (audited). With several shops, the name is given.
 */
export function myShopFeature(deps: OperatorDeps): Composer<OperatorContext> {
  const composer = new Composer<OperatorContext>();
  const { store, settings, processEnv } = deps.admin;

  /** The sender's shop named in the command, or their only one; undefined after telling them why not. */
  async function ownShop(ctx: OperatorContext & { match: string }): Promise<MerchantRecord | undefined> {
    const owned = await store.ownedBy(ctx.from!.id);
    const named = ctx.match.trim();
    const shop = named ? owned.find((m) => m.name === named) : owned.length === 1 ? owned[0] : undefined;
    if (shop) return shop;
    if (owned.length === 0 || named) await ctx.reply(ctx.t("operator-myshop-none"));
    else await ctx.reply(ctx.t("operator-myshop-which", { names: owned.map((m) => m.name).join(", ") }));
    return undefined;
  }

  composer.command("myshop", async (ctx) => {
    const shop = await ownShop(ctx);
    if (!shop) return;
    const report = await deps.platformReport.report(parsePeriod("today")!);
    const mine = { ...report, shops: report.shops.filter((s) => s.merchantId === shop.id) };
    const figures = platformReportText(mine, ctx.t).split("\n").slice(0, 2).join("\n");
    const config = await store.loadConfig(shop.id, settings.masterKey, processEnv);
    const checks = await runSelfCheck(config, {
      log: deps.log, publicUrl: "running", telegramWebhookUrl: merchantWebhookAddresses(settings.publicUrl, shop.routeKey!, []).telegram,
    });
    // PUBLIC_URL is the operator's, not the merchant's, and its one-time token is answered for the environment's bot only.
    const own = checks.filter((c) => c.name !== "PUBLIC_URL");
    const verification = await verificationOf(deps.database.db, shop.id);
    const verified = verification
      ? ctx.t("operator-myshop-verified", { reference: verification.steps.reference, at: dateTime(verification.verifiedAt) })
      : ctx.t("operator-myshop-unverified");
    const title = ctx.t("operator-myshop-title", { name: shop.name, state: ctx.t(`operator-state-${shop.state}`) });
    await ctx.reply([title, verified, figures, "", ctx.t("operator-myshop-checks"), ...own.map(formatCheck)].join("\n"));
    // Until verified, a shop that serves offers its test payment; a pending or paused one cannot take it.
    if (shop.state !== "active" || verification) return;
    const offer = await testPaymentOffer(deps, shop, config, ctx.from!.id, ctx.t);
    await ctx.reply(offer.text, { reply_markup: offer.keyboard });
  });

  for (const [command, state, action] of [["pause", "disabled", MERCHANT_PAUSED_ACTION], ["resume", "active", MERCHANT_RESUMED_ACTION]] as const) {
    composer.command(command, async (ctx) => {
      const shop = await ownShop(ctx);
      if (!shop) return;
      try {
        await store.setState(shop.name, state);
      } catch (err) {
        if (!(err instanceof MerchantRefusal) || err.reason !== "pending") throw err;
        return ctx.reply(ctx.t("operator-myshop-pending", { name: shop.name }));
      }
      await deps.database.db.auditLog.create({ data: { merchantId: shop.id, actorId: BigInt(ctx.from!.id), action, subject: `merchant:${shop.name}`, details: JSON.stringify({ state }) } });
      await ctx.reply(ctx.t(`operator-myshop-${command}d`, { name: shop.name }));
    });
  }
  return composer;
}
