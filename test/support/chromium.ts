import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) with a page whose errors, failed requests and popups are recorded. */
export async function openBrowserPage(viewport: { width: number; height: number }): Promise<{ browser: Browser; page: Page; errors: string[]; popups: () => number }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  let popups = 0;
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("popup", () => popups++);
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return { browser, page, errors, popups: () => popups };
}
