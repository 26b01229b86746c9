/**
 * 3. QR card: a KHQR card PNG (renderKhqrCard) against a plain `qrcode` PNG of the same string, the
 * baseline a developer would reach for instead. Plus where the card's time goes.
 */
import { Resvg } from "@resvg/resvg-js";
import QRCode from "qrcode";
import { renderKhqrCard } from "../src/payments/card/index.js";
import { khqrCardSvg, type KhqrCardInput } from "../src/payments/card/card-svg.js";
import { RESVG_OPTIONS } from "../src/payments/card/fonts.js";
import { encodeRgbaPng } from "../src/payments/card/png.js";
import { encodeKhqr } from "../src/khqr/index.js";
import { references } from "./support/fixtures.js";
import { ms, num, ratio, summarize, type BenchResult } from "./support/result.js";

const WARMUP = 30;
const RENDERS = 200;
const PART_RENDERS = 100;
const MERCHANT = "Sandbox SMM Shop";
const KHMER_MERCHANT = "ហាងកាហ្វេ សុខា និងតែ ថ្មី";

/** What the plain baseline is: qrcode's PNG at the scale renderPlainQr uses (8 px a module, margin 4). */
const plainPng = (qr: string) => QRCode.toBuffer(qr, { errorCorrectionLevel: "M", type: "png", margin: 4, scale: 8 });

function inputs(count: number, currency: "USD" | "KHR", merchantName: string): KhqrCardInput[] {
  const now = Date.now();
  return references(count, currency === "USD" ? "251124" : "251125").map((billNumber, i) => {
    const amountMinor = currency === "USD" ? 500 + i * 25 : 20_000 + i * 1_000;
    const qr = encodeKhqr({
      account: { kind: "individual", bakongAccountId: "sandbox_shop@aclb" },
      merchantName: currency === "USD" ? merchantName : "Sokha Shop",
      merchantCity: "Phnom Penh",
      currency,
      amountMinor,
      billNumber,
      createdAt: now,
      expiresAt: now + 600_000,
    });
    return { qr, merchantName, amountMinor, currency };
  });
}

/** Per-call wall times (ms) and CPU per call, after warm-up; `inputs` are cycled. */
async function timeEach<T>(list: readonly T[], warmup: number, count: number, fn: (x: T) => unknown): Promise<{ times: number[]; cpuMs: number }> {
  for (let i = 0; i < warmup; i++) await fn(list[i % list.length]!);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn(list[i % list.length]!);
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { times, cpuMs: (cpu.user + cpu.system) / 1000 / count };
}

export async function run(): Promise<BenchResult> {
  const usd = inputs(20, "USD", MERCHANT);
  const khmer = inputs(20, "KHR", KHMER_MERCHANT);

  // Warm both, then interleave card and plain renders so machine noise falls on both alike.
  for (let i = 0; i < WARMUP; i++) {
    await renderKhqrCard(usd[i % usd.length]!);
    await plainPng(usd[i % usd.length]!.qr);
  }
  const card: number[] = [];
  const plain: number[] = [];
  let cardCpu = 0;
  let plainCpu = 0;
  let cardBytes = 0;
  let plainBytes = 0;
  for (let i = 0; i < RENDERS; i++) {
    const input = usd[i % usd.length]!;
    let c0 = process.cpuUsage();
    let t = performance.now();
    const png = await renderKhqrCard(input);
    card.push(performance.now() - t);
    let c = process.cpuUsage(c0);
    cardCpu += (c.user + c.system) / 1000;
    cardBytes += png.length;
    c0 = process.cpuUsage();
    t = performance.now();
    const bare = await plainPng(input.qr);
    plain.push(performance.now() - t);
    c = process.cpuUsage(c0);
    plainCpu += (c.user + c.system) / 1000;
    plainBytes += bare.length;
  }
  const cardStats = summarize(card);
  const plainStats = summarize(plain);

  // Where a card's time goes (each stage on its own, same inputs).
  const svgs = usd.map((x) => khqrCardSvg(x));
  const svgStage = summarize((await timeEach(usd, 10, PART_RENDERS, (x) => khqrCardSvg(x))).times);
  const parseStage = summarize((await timeEach(svgs, 10, PART_RENDERS, (svg) => new Resvg(svg, RESVG_OPTIONS))).times);
  const renderers = svgs.map((svg) => new Resvg(svg, RESVG_OPTIONS));
  const rasterStage = summarize((await timeEach(renderers, 10, PART_RENDERS, (r) => r.render())).times);
  const images = renderers.slice(0, 5).map((r) => r.render());
  const encodeStage = summarize((await timeEach(images, 10, PART_RENDERS, (img) => encodeRgbaPng(img.pixels, img.width, img.height))).times);
  // The same parse with no fonts at all (text then has no glyphs): what loading the font files costs.
  const noFonts = { font: { loadSystemFonts: false } };
  const bareParseStage = summarize((await timeEach(svgs, 10, PART_RENDERS, (svg) => new Resvg(svg, noFonts))).times);
  const khmerStats = await timeEach(khmer, 10, PART_RENDERS, (x) => renderKhqrCard(x));
  const khmerCard = summarize(khmerStats.times);

  const r = cardStats.p50 / plainStats.p50;
  return {
    name: "qr-card",
    title: "QR card",
    method: [
      `${WARMUP} warm-up renders each, then ${RENDERS} renders each, card and plain interleaved, over 20 distinct USD KHQR strings (merchant "${MERCHANT}").`,
      `Card: renderKhqrCard (SVG → resvg with the bundled Noto fonts → own PNG encoder), 480×696 px. Baseline: qrcode.toBuffer of the same string (PNG, EC level M, 8 px a module, margin 4; what renderPlainQr sends).`,
      `Stage timings: ${PART_RENDERS} calls each on their own. Khmer variant: KHR card with a 25-character Khmer merchant name.`,
    ],
    figures: [
      { label: "KHQR card median / p90 / p99", value: `${ms(cardStats.p50, 2)} / ${ms(cardStats.p90, 2)} / ${ms(cardStats.p99, 2)}` },
      { label: "Plain qrcode PNG median / p90 / p99 (baseline)", value: `${ms(plainStats.p50, 2)} / ${ms(plainStats.p90, 2)} / ${ms(plainStats.p99, 2)}` },
      { label: "Card median / plain median", value: ratio(r) },
      { label: "CPU per render: card / plain", value: `${ms(cardCpu / RENDERS, 2)} / ${ms(plainCpu / RENDERS, 2)}` },
      { label: "PNG size: card / plain", value: `${num(cardBytes / RENDERS / 1024, 1)} KiB / ${num(plainBytes / RENDERS / 1024, 1)} KiB` },
      { label: "Card stages (median): SVG text / resvg parse + font load / rasterise / PNG encode", value: `${ms(svgStage.p50, 2)} / ${ms(parseStage.p50, 2)} / ${ms(rasterStage.p50, 2)} / ${ms(encodeStage.p50, 2)}` },
      { label: "resvg parse without loading fonts (median; for the font-loading share)", value: ms(bareParseStage.p50, 2) },
      { label: "Khmer-name KHR card median / p99", value: `${ms(khmerCard.p50, 2)} / ${ms(khmerCard.p99, 2)}` },
    ],
    targets: [{ label: "Card render median", target: "≤ 15 ms", measured: ms(cardStats.p50, 2), met: cardStats.p50 <= 15 }],
    notes: [
      `The card is ${r < 1 ? `${num(1 / r, 1)}× faster than` : `${num(r, 1)}× slower than`} the plain qrcode PNG: qrcode encodes its PNG with pngjs in JavaScript, the card uses resvg (native) and a PNG encoder that writes repeated rows with filter Up.`,
      `Each card constructs a new Resvg, which reads and parses the four bundled font files (≈1.2 MB) again: the parse stage takes ${ms(parseStage.p50, 2)} with the fonts and ${ms(bareParseStage.p50, 2)} without, so font loading is about ${ms(Math.max(0, parseStage.p50 - bareParseStage.p50), 2)} of every card. resvg-js 2.6 has no way to keep a font database between renders.`,
      `Rendering runs on the main thread: a card blocks the event loop for about ${ms(cardCpu / RENDERS, 1)} of CPU.`,
    ],
  };
}
