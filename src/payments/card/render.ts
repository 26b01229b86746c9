import { Resvg, type ResvgRenderOptions } from "@resvg/resvg-js";
import QRCode from "qrcode";
import { khqrCardSvg, type KhqrCardInput } from "./card-svg.js";
import { CARD_FONT_FILES, LATIN_FAMILY } from "./fonts.js";

const RESVG_OPTIONS: ResvgRenderOptions = {
  font: { loadSystemFonts: false, fontFiles: [...CARD_FONT_FILES], defaultFontFamily: LATIN_FAMILY },
  shapeRendering: 2,
  textRendering: 1,
};

/** A bare QR code PNG (error correction M). */
export function renderPlainQr(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { errorCorrectionLevel: "M", type: "png", margin: 4, scale: 8 });
}

/** The KHQR card PNG payers recognise, rasterised from SVG without a browser. */
export async function renderKhqrCard(input: KhqrCardInput): Promise<Buffer> {
  return new Resvg(khqrCardSvg(input), RESVG_OPTIONS).render().asPng();
}
