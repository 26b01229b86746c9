// Takes the README's screenshots of the platform sandbox (`npx tsx scripts/platform-screenshots.ts`): a panel owner
// opens a shop with /newshop on the page's platform view, the operator approves it, a customer of the new shop tops
// up and is credited. Writes docs/newshop-start.png, docs/newshop-panel.png, docs/newshop-submit.png,
// docs/newshop-operator.png and docs/platform-sandbox.png with headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium), then shrinks them
// with pngquant when it is installed (`apt-get install pngquant`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Locator, type Page } from "playwright-core";
import { loadConfig } from "../src/config/config.js";
import { startApplication, type Application } from "../src/main.js";
import { sandboxPage } from "../sandbox/page/routes.js";
import { freePort } from "../sandbox/serve.js";
import { platformOptions, startPlatformSandbox } from "../sandbox/start-platform-sandbox.js";

const DOCS = fileURLToPath(new URL("../docs/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "khqr-platform-screenshots-"));
const sandbox = await startPlatformSandbox(`http://127.0.0.1:${port}`);
let application: Application | undefined;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
try {
  const config = loadConfig({ ...sandbox.env, DATABASE_URL: `file:${join(dir, "platform.db")}`, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), LOG_LEVEL: "warn" }, { sandbox: true });
  application = await startApplication(config, {
    platform: platformOptions(sandbox),
    mount: (hono) =>
      sandboxPage(hono, sandbox, {
        openTopUps: async () => (application ? application.database.db.topUp.findMany({ where: { status: "PENDING" }, orderBy: { id: "asc" } }) : []),
      }),
  });
  sandbox.connect(application.url);

  const page = await browser.newPage({ viewport: { width: 1480, height: 1000 } });
  await page.goto(`${application.url}/sandbox/platform`);
  await page.locator("body.ready").waitFor({ timeout: 15_000 });

  const owner = page.locator("#chat-owner");
  const said = (chat: Locator, text: string | RegExp) => chat.locator(".msg.in").filter({ hasText: text }).last().waitFor({ timeout: 20_000 });
  const answer = async (label: string, next: string | RegExp) => {
    await page.locator('.chips[data-chat="owner"] button').filter({ hasText: label }).click();
    await page.locator('form.composer[data-chat="owner"] textarea').press("Enter");
    await said(owner, next);
  };
  const press = async (chat: Locator, data: string, next: string | RegExp) => {
    await chat.locator(`button.kb[data-callback="${data}"]`).last().click();
    await said(chat, next);
  };

  // The operator opens the platform's bot once (Telegram lets a bot write only to whoever started it).
  await page.locator('.tab[data-tab="operator"]').click();
  await page.locator('.chips[data-chat="operator"] button[data-send="/help"]').click();
  await said(page.locator("#chat-operator"), "/platform");
  await page.locator('.tab[data-tab="owner"]').click();

  await page.locator('.chips[data-chat="owner"] button[data-send="/newshop"]').click();
  await said(owner, "Step 1");
  await answer("Bot token", "Step 2");
  await shot(page, page.locator(".platform-card"), "newshop-start.png", 1000);
  await press(owner, "ob:panel_type:socpanel", "Step 3");
  await answer("Panel address", "Step 4");
  await answer("Panel API key", /Step \d/);
  await shot(page, page.locator(".platform-card"), "newshop-panel.png", 1500);
  await press(owner, "ob:providers:kess", "KESS");
  await answer("KESS credentials", /Step \d/);
  await answer("Admin chat", /Step \d/);
  await answer("Shop name", "Please check your shop");
  await press(owner, "ob:confirm:submit", "is submitted");
  await shot(page, page.locator(".platform-card"), "newshop-submit.png", 1500);

  const operator = page.locator("#chat-operator");
  await page.locator('.tab[data-tab="operator"]').click();
  await said(operator, "awaits approval");
  await press(operator, "ap:en:vanna_smm_bot", "is approved");
  await shot(page, page.locator(".platform-card"), "newshop-operator.png", 1000);

  // The new shop's customer tops up in its chat and pays in the bank app.
  const customer = page.locator("#chat-customer2");
  await page.locator('.tab[data-tab="owner"]').click();
  await said(owner, "approved and live");
  await page.locator('.chips[data-chat="customer"] button[data-send="/start"]').click();
  await said(page.locator("#chat-customer"), "Hello");
  await page.locator('.chips[data-chat="customer2"] button[data-send="/start"]').click();
  await said(customer, "Hello");
  await press(customer, "menu:link", "username");
  const input = page.locator('form.composer[data-chat="customer2"] input');
  await input.fill("bopha");
  await input.press("Enter");
  await said(customer, "Linked to bopha");
  await press(customer, "menu:topup", "How much");
  await customer.locator('button.kb[data-callback^="c:amt:"]').first().click();
  await customer.locator("img.photo").last().waitFor({ timeout: 20_000 });
  await page.locator(".topup button.pay").first().click();
  await said(customer, "Top-up successful");
  // The owner opens the new shop's own bot: its admin, told of the payment there.
  await page.locator('.tab[data-tab="owner2"]').click();
  await page.locator('.chips[data-chat="owner2"] button[data-send="/report today"]').click();
  await said(page.locator("#chat-owner2"), "5.00");
  await page.locator('.shop[data-shop="shop2"] tr.up').waitFor({ timeout: 15_000 });
  await shot(page, undefined, "platform-sandbox.png", 980);
} finally {
  await browser.close();
  await application?.stop();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A screenshot of `element` (or the page) in a window `height` pixels high, every chat at its newest message and
 * the toasts gone; shrunk by pngquant when it is installed.
 */
async function shot(page: Page, element: Locator | undefined, file: string, height: number): Promise<void> {
  await page.setViewportSize({ width: 1480, height });
  await page.locator(".toast").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => undefined);
  await page.locator(".messages").evaluateAll((chats) => chats.forEach((chat) => (chat.scrollTop = chat.scrollHeight)));
  const path = join(DOCS, file);
  await (element ?? page).screenshot({ path, animations: "disabled" });
  const shrunk = spawnSync("pngquant", ["--force", "--skip-if-larger", "--strip", "--quality", "60-90", "--output", path, path]);
  console.log(`docs/${file}: ${Math.round(statSync(path).size / 1024)} KB${shrunk.error ? " (pngquant not found: not shrunk)" : ""}`);
}
