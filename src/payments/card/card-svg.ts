import type { KhqrCurrency } from "../../khqr/index.js";
import { formatAmountParts } from "../../money/money.js";
import { KHMER_FAMILY, LATIN_FAMILY } from "./fonts.js";
import { qrModulePath } from "./qr-modules.js";
import { textLine } from "./text-line.js";

export interface KhqrCardInput {
  qr: string;
  merchantName: string;
  amountMinor: number;
  currency: KhqrCurrency;
}

const CARD_WIDTH = 480;
const CARD_HEIGHT = 696;

const RED = "#E1232E";
const INK = "#1A1A1A";
const MARGIN = 12;
const CARD = { x: MARGIN, y: MARGIN, w: CARD_WIDTH - 2 * MARGIN, h: CARD_HEIGHT - 2 * MARGIN, r: 22 };
const HEADER_H = 84;
const FOLD = 32;
const PAD = 36;
const DIVIDER_Y = CARD.y + HEADER_H + 122;
const QR_BOX = { top: DIVIDER_Y + 24, bottom: CARD.y + CARD.h - 32, width: CARD.w - 2 * PAD };
const AMOUNT_MAX_SIZE = 36;
const CURRENCY_MARK: Record<KhqrCurrency, { glyph: string; family: string }> = {
  USD: { glyph: "$", family: LATIN_FAMILY },
  KHR: { glyph: "៛", family: KHMER_FAMILY },
};

/** The KHQR card as an SVG string: red header with the wordmark, payee, amount, dashed divider, QR. */
export function khqrCardSvg(input: KhqrCardInput): string {
  const amount = formatAmountParts(input.amountMinor, input.currency);
  const { x, y, w, h, r } = CARD;
  const right = x + w;
  const headerBottom = y + HEADER_H;
  // Noto Sans Bold digits are 0.57 em wide; leave room for the currency code.
  const amountSize = Math.min(AMOUNT_MAX_SIZE, Math.floor((w - 2 * PAD - 64) / (0.58 * amount.value.length)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}">
<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="#E6E8EC"/>
<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${r}" fill="#FFFFFF"/>
<path d="M${x} ${headerBottom}V${y + r}A${r} ${r} 0 0 1 ${x + r} ${y}H${right - r}A${r} ${r} 0 0 1 ${right} ${y + r}V${headerBottom + FOLD}L${right - FOLD} ${headerBottom}Z" fill="${RED}"/>
<text x="${x + w / 2}" y="${y + HEADER_H / 2 + 14}" text-anchor="middle" font-family="${LATIN_FAMILY}" font-weight="bold" font-size="38" letter-spacing="2.5" fill="#FFFFFF">KHQR</text>
${textLine(input.merchantName, x + PAD, headerBottom + 46, { size: 19, fill: "#555555" }, w - 2 * PAD)}
<text x="${x + PAD}" y="${headerBottom + 93}" font-family="${LATIN_FAMILY}" font-weight="bold" font-size="${amountSize}" fill="${INK}">${amount.value}<tspan font-size="19" dx="8">${amount.currency}</tspan></text>
<line x1="${x}" y1="${DIVIDER_Y}" x2="${right}" y2="${DIVIDER_Y}" stroke="#B8BCC2" stroke-width="1.5" stroke-dasharray="8 6"/>
${qrGroup(input.qr, input.currency)}
</svg>`;
}

function qrGroup(qr: string, currency: KhqrCurrency): string {
  const { size, d } = qrModulePath(qr);
  const scale = Math.max(1, Math.floor(Math.min(QR_BOX.width, QR_BOX.bottom - QR_BOX.top) / size));
  const side = size * scale;
  const left = Math.round(CARD.x + (CARD.w - side) / 2);
  const top = Math.round(QR_BOX.top + (QR_BOX.bottom - QR_BOX.top - side) / 2);
  const cx = left + side / 2;
  const cy = top + side / 2;
  const radius = Math.round(side * 0.085);
  const mark = CURRENCY_MARK[currency];
  return `<path transform="translate(${left} ${top}) scale(${scale})" d="${d}" fill="#000000" shape-rendering="crispEdges"/>
<circle cx="${cx}" cy="${cy}" r="${radius}" fill="#FFFFFF"/>
<circle cx="${cx}" cy="${cy}" r="${radius - 4}" fill="${INK}"/>
<text x="${cx}" y="${cy + radius * 0.42}" text-anchor="middle" font-family="${mark.family}" font-weight="bold" font-size="${Math.round(radius * 1.25)}" fill="#FFFFFF">${mark.glyph}</text>`;
}
