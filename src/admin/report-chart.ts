import { Resvg } from "@resvg/resvg-js";
import { CARD_FONT_FILES, LATIN_FAMILY } from "../payments/card/fonts.js";
import { formatAmountParts, formatMoney, minorDigits } from "../money/money.js";
import type { ReportData } from "./admin-service.js";

const W = 900;
const H = 420;
const PAD = { left: 90, right: 20, top: 50, bottom: 60 };
const TICKS = 4;
const MAX_X_LABELS = 16;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The y axis: a step of 1, 2 or 5 × 10^k whole currency units (at least one unit), and a top that is
 * a whole number of steps. Every label is then an exact amount drawn exactly at its height.
 */
export function axisOf(maxMinor: number, currency: ReportData["currency"]): { stepMinor: number; topMinor: number } {
  const unit = 10 ** minorDigits(currency);
  const rough = Math.max(unit, maxMinor / TICKS);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const stepMinor = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough)!;
  const rounded = Math.max(unit, Math.ceil(stepMinor / unit) * unit);
  return { stepMinor: rounded, topMinor: Math.max(1, Math.ceil(maxMinor / rounded)) * rounded };
}

/** A bar chart of what was paid per hour (one-day report) or per day, as SVG. */
export function reportChartSvg(report: ReportData): string {
  const { buckets, unit } = report.chart;
  const { stepMinor, topMinor } = axisOf(Math.max(0, ...buckets.map((b) => b.sumMinor)), report.currency);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(2, slot * 0.7);
  const labelEvery = Math.ceil(buckets.length / MAX_X_LABELS);
  const bars = buckets.map((b, i) => {
    const h = (b.sumMinor / topMinor) * plotH;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const y = PAD.top + plotH - h;
    const text = unit === "hour" ? `${b.label}:00` : b.label.slice(5);
    const label = i % labelEvery === 0 ? `<text x="${(x + barW / 2).toFixed(1)}" y="${H - PAD.bottom + 18}" font-size="12" text-anchor="middle" fill="#444">${text}</text>` : "";
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="#E1232E" rx="2"/>${label}`;
  });
  const ticks: string[] = [];
  for (let value = 0; value <= topMinor; value += stepMinor) {
    const y = PAD.top + plotH - (value / topMinor) * plotH;
    ticks.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>` +
        `<text x="${PAD.left - 8}" y="${(y + 4).toFixed(1)}" font-size="12" text-anchor="end" fill="#444" data-minor="${value}">${formatAmountParts(value, report.currency).value}</text>`,
    );
  }
  const per = unit === "hour" ? "hour" : "day";
  const title = `Paid per ${per} (${report.currency}), ${report.period.label} — total ${formatMoney(report.paid.sumMinor, report.currency)}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${PAD.left}" y="30" font-size="18" font-weight="bold" fill="#222">${escapeXml(title)}</text>
${ticks.join("\n")}
${bars.join("\n")}
<text x="${W - PAD.right}" y="${H - 12}" font-size="11" text-anchor="end" fill="#888">${escapeXml(report.timeZone)}</text>
</svg>`;
}

export function reportChartPng(report: ReportData): Buffer {
  const resvg = new Resvg(reportChartSvg(report), { font: { loadSystemFonts: false, fontFiles: [...CARD_FONT_FILES], defaultFontFamily: LATIN_FAMILY } });
  return resvg.render().asPng();
}
