import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { forMerchant } from "../../src/db/merchant-scope.js";
import { CreditStatus } from "../../src/ledger/states.js";
import { startApplication, type Application, type Timings } from "../../src/main.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import { fakeBotToken } from "../support/bot-token.js";
import { eventually, silentLog } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { startLoadBalancer, type LoadBalancer } from "../support/load-balancer.js";
import { merchantCli, routeKeyOf, writeMerchantEnv } from "../support/platform.js";

/*
 * Issue 22: three merchants (the environment's shop A, and B and C added with the CLI while both instances run)
 * served by two instances behind a load balancer, on one PostgreSQL and one Redis. Every provider webhook goes to
 * a random instance (many twice), both instances' pollers race them, and every top-up is credited exactly once, on
 * its own merchant's panel.
 */
const REDIS_URL = process.env.TEST_REDIS_URL_PLATFORM ?? "redis://127.0.0.1:6379/6";
const TIMINGS: Partial<Timings> = { crediterSweepMs: 250, pollerSweepMs: 250, notifierSweepMs: 250, reconcileDelayMs: 500 };
const MASTER_KEY = randomBytes(32).toString("base64");
const PER_MERCHANT = 30;

interface Shop {
  name: string;
  id: number;
  panel: PanelSimulator;
  pay(t: { reference: string; qr: string | null }): Promise<unknown>;
  login: string;
}

describe.runIf(postgresAvailable)("three merchants across two instances, one PostgreSQL and one Redis", () => {
  let redis: Redis;
  let pg: { url: string; dropDatabase(): Promise<void> };
  let sandbox: Sandbox;
  let lb: LoadBalancer;
  let kessB: KessSimulator;
  let raksmeypayC: RaksmeyPaySimulator;
  let panelB: PanelSimulator;
  let panelC: PanelSimulator;
  let dir: string;
  const apps: Application[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.flushdb();
    pg = await createPostgresDatabase();
    sandbox = await startSandbox({ providers: ["raksmeypay"] });
    kessB = await startKessSimulator();
    raksmeypayC = await startRaksmeyPaySimulator({ profileId: "shop-c-profile", profileKey: "shop-c-profile-key", webhookApiKey: "shop-c-webhook-key" });
    panelB = await startPerfectPanelSimulator({ apiKey: "shop-b-key", users: { login_b: 0 } });
    panelC = await startPerfectPanelSimulator({ apiKey: "shop-c-key", users: { login_c: 0 } });
    sandbox.panel.addUser("login_a", 0);
    lb = await startLoadBalancer();
    dir = mkdtempSync(join(tmpdir(), "khqr-platform-mi-"));
    const processEnv = {
      ...sandbox.env, DATABASE_URL: pg.url, REDIS_URL, BOT_MODE: "webhook", PUBLIC_URL: lb.url, TELEGRAM_WEBHOOK_SECRET: "shop-a-webhook-secret",
      HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent", MASTER_KEY,
    };
    const config = loadConfig(processEnv);
    for (let i = 0; i < 2; i++) apps.push(await startApplication(config, { log: silentLog, timings: TIMINGS, platform: { masterKey: readMasterKey(processEnv), processEnv } }));
    lb.setTargets(apps.map((a) => a.url));
    sandbox.connect(lb.url);
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await lb?.close();
    await kessB?.close();
    await raksmeypayC?.close();
    await panelB?.close();
    await panelC?.close();
    await sandbox?.close();
    await pg?.dropDatabase();
    await redis?.flushdb();
    await redis?.quit();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("credits every top-up of each merchant exactly once, on its own panel, whichever instance takes it", async () => {
    const [first] = apps as [Application, Application];
    const cliEnv = { DATABASE_URL: pg.url, MASTER_KEY, PUBLIC_URL: lb.url, TELEGRAM_API_ROOT: sandbox.env.TELEGRAM_API_ROOT! };
    const cli = (args: string[]) => merchantCli(first.config, cliEnv, args);
    const tokenB = fakeBotToken(7_200_000_001, "SHOP-B-mi");
    const tokenC = fakeBotToken(7_200_000_002, "SHOP-C-mi");
    sandbox.telegram.bot(tokenB, { username: "shop_b_mi_bot" });
    sandbox.telegram.bot(tokenC, { username: "shop_c_mi_bot" });
    writeMerchantEnv(join(dir, "b.env"), { token: tokenB, admin: 720_000_001, name: "Shop B", panel: panelB, panelKey: "shop-b-key", kess: kessB });
    writeMerchantEnv(join(dir, "c.env"), {
      token: tokenC, admin: 720_000_002, name: "Shop C", panel: panelC, panelKey: "shop-c-key",
      raksmeypay: { sim: raksmeypayC, profileId: "shop-c-profile", profileKey: "shop-c-profile-key", webhookApiKey: "shop-c-webhook-key" },
    });
    expect((await cli(["add", "shop-b", "--env-file", join(dir, "b.env")])).code).toBe(0);
    expect((await cli(["add", "shop-c", "--env-file", join(dir, "c.env")])).code).toBe(0);
    const keyC = await routeKeyOf(first.config, cliEnv, "shop-c");
    raksmeypayC.setWebhookUrl(`${lb.url}/webhooks/raksmeypay/${keyC}`);
    // Picked up by both instances.
    await eventually(async () => apps.every((a) => a.merchants.all().length === 3), "both instances serve three merchants");
    const idOf = (name: string) => first.merchants.all().find((m) => m.config.topup.merchantName === name)!.id;

    const shops: Shop[] = [
      { name: "A", id: 1, panel: sandbox.panel, login: "login_a", pay: (t) => (sandbox.providers.get("raksmeypay") as RaksmeyPaySimulator).pay(t) },
      { name: "B", id: idOf("Shop B"), panel: panelB, login: "login_b", pay: (t) => kessB.pay({ reference: t.reference }) },
      { name: "C", id: idOf("Shop C"), panel: panelC, login: "login_c", pay: (t) => raksmeypayC.pay(t) },
    ];
    // Webhooks delivered twice, late: both instances' pollers race them.
    for (const sim of [sandbox.providers.get("raksmeypay") as RaksmeyPaySimulator, raksmeypayC]) Object.assign(sim.webhookFaults, { mode: "duplicate", delayMs: 1_000 });

    const paid = await Promise.all(shops.map(async (shop) => {
      const references: string[] = [];
      for (let i = 0; i < PER_MERCHANT; i++) {
        const app = apps[i % 2]!;
        const merchant = app.merchants.get(shop.id)!;
        const telegramId = BigInt(730_000_000 + i);
        const user = await forMerchant(app.database, shop.id).db.user.upsert({
          where: { merchantId_telegramId: { merchantId: shop.id, telegramId } }, create: { telegramId, panelLogin: shop.login }, update: {},
        });
        const started = await merchant.topUps.start({ userId: user.id, chatId: telegramId, amountMinor: 100 + i, provider: merchant.config.providers.enabled[0]! });
        if (!started.ok) throw new Error(`shop ${shop.name}: top-up not started (${started.reason})`);
        await shop.pay(started.topUp);
        references.push(started.topUp.reference);
      }
      return references;
    }));

    const db = first.database.db;
    await eventually(async () => (await db.credit.count({ where: { status: CreditStatus.DONE } })) === 3 * PER_MERCHANT, "every credit applied", 90_000);
    for (const [i, shop] of shops.entries()) {
      const memos = shop.panel.payments.map((p) => p.memo);
      expect(memos, `shop ${shop.name}`).toHaveLength(PER_MERCHANT);
      expect(new Set(memos).size).toBe(PER_MERCHANT);
      expect(shop.panel.payments.every((p) => p.login === shop.login)).toBe(true);
      for (const reference of paid[i]!) expect(memos.filter((m) => m.includes(reference))).toHaveLength(1);
      expect(shop.panel.balanceOf(shop.login)).toBe(Array.from({ length: PER_MERCHANT }, (_, n) => 100 + n).reduce((a, b) => a + b, 0));
      expect(await db.credit.count({ where: { merchantId: shop.id, status: CreditStatus.DONE } })).toBe(PER_MERCHANT);
    }
  }, 180_000);
});
