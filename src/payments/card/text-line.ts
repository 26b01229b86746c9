import { Resvg } from "@resvg/resvg-js";
import { KHMER_FAMILY, LATIN_FAMILY, RESVG_OPTIONS } from "./fonts.js";

export interface TextStyle {
  size: number;
  fill: string;
}

interface Segment {
  text: string;
  family: string;
  /** Space before the segment, in em. */
  gap: number;
}

interface Ink {
  x: number;
  width: number;
}

const KHMER = "\u1780-\u17FF\u19E0-\u19FF\u200C\u200D";
const PIECES = new RegExp(`(\\s+)|(\\u200B+)|([${KHMER}]+)|([^\\s\\u200B${KHMER}]+)`, "gu");
const SPACE_EM = 0.3;
const JOIN_EM = 0.05;
const MAX_CACHED = 2_000;
const inkCache = new Map<string, Ink>();

/** What XML cannot carry: control characters and lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * One line of text that may mix Khmer and Latin, shrunk to fit `maxWidth`.
 * resvg 2.6 neither falls back between fonts reliably nor keeps the spaces between Khmer words,
 * so each word and script run becomes its own single-font <text>, laid out by its measured ink.
 */
export function textLine(text: string, x: number, baseline: number, style: TextStyle, maxWidth: number): string {
  const placed: string[] = [];
  let cursor = 0;
  for (const segment of segments(text.replace(NOT_XML, ""))) {
    cursor += placed.length === 0 ? 0 : segment.gap * style.size;
    const ink = measure(segment, style);
    placed.push(textElement(segment, style, cursor - ink.x));
    cursor += ink.width;
  }
  const scale = cursor > maxWidth ? maxWidth / cursor : 1;
  return `<g transform="translate(${x} ${baseline}) scale(${scale.toFixed(4)})" fill="${style.fill}">${placed.join("")}</g>`;
}

function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let gap = 0;
  for (const [, space, zeroWidthSpace, khmer, other] of text.matchAll(PIECES)) {
    if (space) gap = SPACE_EM;
    else if (zeroWidthSpace) gap = Math.max(gap, JOIN_EM);
    else {
      out.push({ text: (khmer ?? other)!, family: khmer ? KHMER_FAMILY : LATIN_FAMILY, gap: Math.max(gap, JOIN_EM) });
      gap = 0;
    }
  }
  return out;
}

function textElement(segment: Segment, style: TextStyle, x: number): string {
  return `<text x="${x.toFixed(2)}" y="0" font-family="${segment.family}" font-size="${style.size}">${escapeXml(segment.text)}</text>`;
}

function measure(segment: Segment, style: TextStyle): Ink {
  const key = `${segment.family}|${style.size}|${segment.text}`;
  let ink = inkCache.get(key);
  if (!ink) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">${textElement(segment, style, 0)}</svg>`;
    const box = new Resvg(svg, RESVG_OPTIONS).getBBox();
    ink = box ? { x: box.x, width: box.width } : { x: 0, width: 0 };
    if (inkCache.size >= MAX_CACHED) inkCache.clear();
    inkCache.set(key, ink);
  }
  return ink;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
