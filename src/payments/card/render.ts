import { Resvg } from "@resvg/resvg-js";
import QRCode from "qrcode";
import { khqrCardSvg, type KhqrCardInput } from "./card-svg.js";
import { RESVG_OPTIONS } from "./fonts.js";
import { encodeRgbaPng } from "./png.js";

/** A bare QR code PNG (error correction M). */
export function renderPlainQr(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { errorCorrectionLevel: "M", type: "png", margin: 4, scale: 8 });
}

/** The KHQR card PNG payers recognise, rasterised from SVG without a browser. */
export async function renderKhqrCard(input: KhqrCardInput): Promise<Buffer> {
  const image = new Resvg(khqrCardSvg(input), RESVG_OPTIONS).render();
  return encodeRgbaPng(image.pixels, image.width, image.height);
}
