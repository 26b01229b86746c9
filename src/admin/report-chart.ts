import { Resvg } from "@resvg/resvg-js";
import { CARD_FONT_FILES, LATIN_FAMILY } from "../payments/card/fonts.js";
import { decimalString, formatMoney, minorDigits } from "../payments/money.js";
import type { ReportData } from "./admin-service.js";

const W = 900;
const H = 420;
const PAD = { left: 70, right: 20, top: 50, bottom: 60 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A bar chart of paid totals per day, as SVG. */
export function reportChartSvg(report: ReportData): string {
  const days = report.daily;
  const max = Math.max(1, ...days.map((d) => d.sumMinor));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  const labelEvery = Math.ceil(days.length / 15);
  const bars = days.map((d, i) => {
    const h = (d.sumMinor / max) * plotH;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const y = PAD.top + plotH - h;
    const label = i % labelEvery === 0 ? `<text x="${x + barW / 2}" y="${H - PAD.bottom + 18}" font-size="12" text-anchor="middle" fill="#444">${d.date.slice(5)}</text>` : "";
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="#E1232E" rx="2"/>${label}`;
  });
  const scale = 10 ** minorDigits(report.currency);
  const ticks = [0, 0.5, 1].map((f) => {
    const y = PAD.top + plotH - f * plotH;
    const value = decimalString(Math.round((max * f) / scale) * scale, report.currency);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#444">${value}</text>`;
  });
  const title = `Paid per day, ${report.period.label} — total ${formatMoney(report.paid.sumMinor, report.currency)}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${PAD.left}" y="30" font-size="18" font-weight="bold" fill="#222">${escapeXml(title)}</text>
${ticks.join("\n")}
${bars.join("\n")}
</svg>`;
}

export function reportChartPng(report: ReportData): Buffer {
  const resvg = new Resvg(reportChartSvg(report), { font: { loadSystemFonts: false, fontFiles: [...CARD_FONT_FILES], defaultFontFamily: LATIN_FAMILY } });
  return resvg.render().asPng();
}
