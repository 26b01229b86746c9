import { Composer } from "grammy";
import { parsePeriod } from "../../admin/period.js";
import type { CountAndSums, PlatformReport, ShopFigures } from "../../admin/platform-report.js";
import { dateTime, money, splitMessage } from "../../bot/format.js";
import type { Translate } from "../../bot/i18n.js";
import { awaitsVerification } from "../../platform/test-payments.js";
import type { OperatorContext, OperatorDeps } from "../context.js";

/** /platform [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]: one row per shop and the totals. */
export function platformReportFeature(deps: OperatorDeps): Composer<OperatorContext> {
  const composer = new Composer<OperatorContext>();
  composer.command("platform", async (ctx) => {
    const period = parsePeriod(ctx.match.trim() || undefined);
    if (!period) return ctx.reply(ctx.t("operator-platform-usage"));
    const report = await deps.platformReport.report(period);
    for (const part of splitMessage(platformReportText(report, ctx.t))) await ctx.reply(part);
  });
  return composer;
}

const sums = (c: CountAndSums) => (c.sums.length === 0 ? "—" : c.sums.map((s) => money(s.sumMinor, s.currency)).join(" + "));

function figures(f: PlatformReport["total"], t: Translate) {
  return {
    opened: f.opened,
    paid: f.paid.count,
    paidSums: sums(f.paid),
    credited: f.credited,
    held: f.held,
    refunded: f.refunded.count,
    refundedSums: sums(f.refunded),
    pending: f.creditsPending,
    last: f.lastPaymentAt === null ? t("operator-platform-never") : dateTime(f.lastPaymentAt),
  };
}

export function platformReportText(r: PlatformReport, t: Translate): string {
  const known = (s: string) => (["pending", "active", "disabled", "removed"].includes(s) ? t(`operator-state-${s}`) : s);
  const state = (s: ShopFigures) => known(s.state) + (awaitsVerification({ ...s, id: s.merchantId }) ? ` · ${t("operator-state-unverified")}` : "");
  return [
    t("operator-platform-title", { label: r.period.label, from: dateTime(r.period.from), to: dateTime(r.period.to), zone: r.timeZone }),
    ...(r.shops.length === 0
      ? [t("operator-platform-none")]
      : r.shops.map((s) => t("operator-platform-row", { name: s.name, state: state(s), bot: s.bot === null ? t("operator-platform-no-bot") : `@${s.bot}`, ...figures(s, t) }))),
    "",
    t("operator-platform-total", { shops: r.shops.length, ...figures(r.total, t) }),
  ].join("\n");
}
