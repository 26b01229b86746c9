import type { ResvgRenderOptions } from "@resvg/resvg-js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FONT_DIR = new URL("../../../assets/fonts/", import.meta.url);

export const LATIN_FAMILY = "Noto Sans";
export const KHMER_FAMILY = "Noto Sans Khmer";

/** Latin + Khmer, regular + bold (Noto, OFL-1.1): the slim runtime image has no system fonts. */
export const CARD_FONT_FILES: readonly string[] = [
  "NotoSans-Regular.ttf",
  "NotoSans-Bold.ttf",
  "NotoSansKhmer-Regular.ttf",
  "NotoSansKhmer-Bold.ttf",
].map((name) => {
  const path = fileURLToPath(new URL(name, FONT_DIR));
  if (!existsSync(path)) throw new Error(`KHQR card font missing: ${path}`);
  return path;
});

export const RESVG_OPTIONS: ResvgRenderOptions = {
  font: { loadSystemFonts: false, fontFiles: [...CARD_FONT_FILES], defaultFontFamily: LATIN_FAMILY },
};
