import { InputFile, type Composer } from "grammy";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportData } from "../../admin/admin-service.js";
import { AdminComposer, replyLong } from "../admin-command.js";
import type { BotContext } from "../context.js";
import { TELEGRAM_CSV_LIMITS, writeCsvParts } from "../csv-parts.js";
import type { BotDeps } from "../deps.js";
import { customerLabel, dateTime, money } from "../format.js";
import type { Translate } from "../i18n.js";

/** /report [today|yesterday|7d|30d|YYYY-MM-DD..YYYY-MM-DD]: a summary, the CSV and a chart. */
export function adminReportFeature(deps: BotDeps): Composer<BotContext> {
  const admin = new AdminComposer(deps);
  admin.command("report", async (ctx) => {
    const t: Translate = (key, vars) => ctx.t(key, vars);
    const period = deps.admin.parsePeriod(ctx.match.trim() || undefined);
    if (!period) return ctx.reply(t("admin-report-usage"));
    const report = await deps.admin.report(period);
    await replyLong(ctx, reportText(report, t));
    const name = `report-${period.label.replace(/[^\w.-]+/g, "_")}`;
    await sendCsv(ctx, deps.admin.reportCsv(period), name, t);
    const chart = await deps.admin.reportChartPng(report);
    await ctx.replyWithPhoto(new InputFile(chart, `${name}.png`), { caption: t("admin-report-chart", { unit: report.chart.unit, label: period.label }) });
  });
  return admin.composer;
}

const PROGRESS_EVERY_MS = 2_000;

/**
 * The export as documents: written to a temp folder as it streams (a progress message edited meanwhile),
 * compressed when large and split into parts under Telegram's upload limit, then sent and removed.
 */
async function sendCsv(ctx: BotContext, chunks: AsyncIterable<string>, name: string, t: Translate): Promise<void> {
  const progress = await ctx.reply(t("admin-export-progress", { rows: 0 }));
  const edit = (text: string) => ctx.api.editMessageText(progress.chat.id, progress.message_id, text).catch(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), "khqr-export-"));
  try {
    let shownAt = Date.now();
    const { parts, rows } = await writeCsvParts(chunks, dir, name, TELEGRAM_CSV_LIMITS, (rows) => {
      if (Date.now() - shownAt < PROGRESS_EVERY_MS) return;
      shownAt = Date.now();
      void edit(t("admin-export-progress", { rows }));
    });
    await edit(t("admin-export-done", { rows, files: parts.length }));
    for (const part of parts) await ctx.replyWithDocument(new InputFile(part.path, part.filename));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The summary: what was paid (per provider, adding up to the total), refunds, bonuses, top-ups by state, top customers. */
export function reportText(r: ReportData, t: Translate): string {
  const m = (minor: number) => money(minor, r.currency);
  const none = [t("admin-report-none")];
  const lines = [
    t("admin-report-title", { label: r.period.label, from: dateTime(r.period.from), to: dateTime(r.period.to), zone: r.timeZone }),
    t("admin-report-paid", { count: r.paid.count, sum: m(r.paid.sumMinor) }),
    t("admin-report-refunds", { count: r.refunds.count, sum: m(r.refunds.sumMinor) }),
    t("admin-report-net", { net: m(r.netMinor) }),
    ...(r.bonuses.count === 0 ? [] : [t("admin-report-bonuses", { count: r.bonuses.count, sum: money(r.bonuses.sumMinor, r.bonuses.currency) })]),
    "",
    t("admin-report-by-provider"),
    ...(r.byProvider.length === 0 ? none : r.byProvider.map((row) => t("admin-report-row", { provider: row.provider, count: row.count, sum: m(row.sumMinor) }))),
    ...r.otherCurrencies.map((row) => t("admin-report-other-currency", { count: row.count, sum: money(row.sumMinor, row.currency) })),
    "",
    t("admin-report-states"),
    ...(r.topUpsByStatus.length === 0 ? none : r.topUpsByStatus.map((row) => t("admin-report-state", { status: row.status, count: row.count }))),
    "",
    t("admin-report-top"),
    ...(r.topCustomers.length === 0
      ? none
      : r.topCustomers.map((c, i) =>
          t("admin-report-customer", {
            rank: i + 1,
            who: customerLabel({ telegramId: c.telegramId, username: c.username, firstName: null }),
            login: c.panelLogin ?? "-",
            count: c.count,
            sum: m(c.sumMinor),
          }),
        )),
  ];
  return lines.join("\n");
}
