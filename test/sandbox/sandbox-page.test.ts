import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { formatMoney } from "../../src/money/money.js";
import { startApplication, type Application } from "../../src/main.js";
import { sandboxPage } from "../../sandbox/page/routes.js";
import { SANDBOX_PANEL_USERS, startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { openBrowserPage } from "../support/chromium.js";

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), "../../docs/sandbox.png");

let dir: string;
let sandbox: Sandbox | undefined;
let application: Application | undefined;
let browser: Browser | undefined;
let page: Page;
let browserErrors: string[] = [];
let popups: () => number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sandbox-page-"));
  sandbox = await startSandbox();
  const config = loadConfig(
    { ...sandbox.env, DATABASE_URL: `file:${join(dir, "bot.db")}`, HTTP_PORT: "0", HTTP_HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    { sandbox: true },
  );
  const s = sandbox;
  application = await startApplication(config, {
    mount: (hono) =>
      sandboxPage(hono, s, {
        openTopUps: async () => (application ? application.database.db.topUp.findMany({ where: { status: "PENDING" }, orderBy: { id: "asc" } }) : []),
      }),
  });
  sandbox.connect(application.url);

  ({ browser, page, errors: browserErrors, popups } = await openBrowserPage({ width: 1400, height: 900 }));
}, 120_000);

afterAll(async () => {
  // Each step runs even when one before it fails; the first failure is reported.
  const steps: Array<() => Promise<void> | undefined> = [
    () => browser?.close(),
    () => application?.stop(),
    () => sandbox?.close(),
    () => (dir ? rm(dir, { recursive: true, force: true }) : undefined),
  ];
  const failures: unknown[] = [];
  for (const step of steps) await Promise.resolve().then(step).catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}, 60_000);

const customerChat = () => page.locator("#chat-customer");
/** The newest bot message in the customer chat whose text contains `text`. */
const botMessage = (text: string | RegExp): Locator => customerChat().locator(".msg.in").filter({ hasText: text }).last();
/** The newest inline button with this callback data in the customer chat. */
const button = (data: string): Locator => customerChat().locator(`button.kb[data-callback="${data}"]`).last();

describe("sandbox page", () => {
  it("lets a visitor link an account, top up with KHQR, pay in the bank pane and see the panel balance rise", async () => {
    await page.goto(`${application!.url}/sandbox`);
    await page.locator("body.ready").waitFor({ timeout: 10_000 });
    const dara = page.locator('#panel-users tr[data-login="dara"] .balance');
    await expect.poll(() => dara.textContent()).toBe(formatMoney(SANDBOX_PANEL_USERS.dara!, "USD"));

    await page.locator('.chips[data-chat="customer"] button[data-send="/start"]').click();
    await botMessage("Hello Dara").waitFor();
    // Khmer text comes through as text (the language button of the main menu).
    expect(await botMessage("Hello Dara").textContent()).toContain("ភាសា");

    await button("menu:link").click();
    await botMessage(/username/i).waitFor();
    const input = page.locator('form.composer[data-chat="customer"] input');
    await input.fill("dara");
    await input.press("Enter");
    await botMessage("Linked to the panel account dara").waitFor();
    await customerChat().locator(".msg.out").filter({ hasText: /^dara/ }).waitFor();

    await button("menu:topup").click();
    await botMessage("How much").waitFor();
    const preset = customerChat().locator('button.kb[data-callback^="c:amt:"]').first();
    const amountMinor = Number((await preset.getAttribute("data-callback"))!.slice("c:amt:".length));
    expect(amountMinor).toBeGreaterThan(0);
    await preset.click();

    // With several providers the bot asks how to pay: take Bakong, which shows the KHQR card.
    const askedProvider = await Promise.race([
      botMessage("How would you like to pay").waitFor().then(() => true),
      customerChat().locator("img.photo").waitFor().then(() => false),
    ]);
    if (askedProvider) await button("c:prov:bakong").click();

    const card = customerChat().locator(".msg.in img.photo").last();
    await card.waitFor();
    await expect.poll(() => card.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 100), { timeout: 10_000 }).toBe(true);
    const caption = await card.locator("xpath=..").textContent();
    const reference = /Reference: (\S+)/.exec(caption ?? "")?.[1];
    expect(reference, `caption: ${caption}`).toBeTruthy();

    const topUp = page.locator(`.topup[data-reference="${reference}"]`);
    await topUp.waitFor({ timeout: 10_000 });
    expect(await topUp.locator(".amount").textContent()).toBe(formatMoney(amountMinor, "USD"));

    // "Open in bank app" under the card (the Bakong simulator's deep link) opens the bank pane on that top-up.
    await customerChat().locator("button.kb.link").filter({ hasText: "Open in bank app" }).last().click();
    await page.locator(`.topup.flash[data-reference="${reference}"]`).waitFor();
    expect(popups()).toBe(0);

    await topUp.locator("button.pay").click();

    await botMessage("Top-up successful").waitFor({ timeout: 30_000 });
    expect(await botMessage("Top-up successful").textContent()).toContain(reference!);
    const expected = SANDBOX_PANEL_USERS.dara! + amountMinor;
    await expect.poll(() => dara.textContent(), { timeout: 10_000 }).toBe(formatMoney(expected, "USD"));
    expect(sandbox!.panel.balanceOf("dara")).toBe(expected);
    await topUp.waitFor({ state: "detached", timeout: 10_000 });
    await page.locator(`#paid li[data-reference="${reference}"]`).waitFor();

    // The admins' group got the payment notification; its tab shows it.
    await page.locator('.tab[data-tab="group"]').click();
    await page.locator("#chat-group .msg.in").filter({ hasText: reference! }).waitFor({ timeout: 15_000 });

    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 10_000 });
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(browserErrors).toEqual([]);
  }, 120_000);

  it("shows what people type as text, never as HTML", async () => {
    const probe = `<img src=x onerror="document.body.dataset.owned=1"><b>not bold</b>`;
    const input = page.locator('form.composer[data-chat="customer"] input');
    await input.fill(probe);
    await input.press("Enter");
    const mine = customerChat().locator(".msg.out").last();
    await expect.poll(() => mine.locator(".text").textContent()).toBe(probe);
    expect(await mine.locator("img, b").count()).toBe(0);
    expect(await page.locator("body").getAttribute("data-owned")).toBeNull();
    expect(browserErrors).toEqual([]);
  }, 30_000);

  it("takes only JSON posts (no cross-site form posts) and only its three chats", async () => {
    const base = `${application!.url}/sandbox/api`;
    const form = await fetch(`${base}/chats/customer/send`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ text: "hi" }) });
    expect(form.status).toBe(415);
    expect((await fetch(`${base}/chats/someone/messages`)).status).toBe(404);
    expect((await fetch(`${base}/chats/toString/messages`)).status).toBe(404);
    const stale = await fetch(`${base}/chats/customer/click`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messageId: 1, data: "nope" }) });
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as { error: string }).error).toMatch(/button|message/);
  });
});
