import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createFakeTelegram, type BotDriver, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { fakeBotToken } from "../support/bot-token.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { runCli } from "./run-cli.js";

const PUBLIC_URL = "http://127.0.0.1:9";
const masterKey = () => randomBytes(32).toString("base64");

interface Target {
  name: "sqlite" | "postgres";
  enabled: boolean;
  create(dir: string): Promise<{ url: string; drop(): Promise<void> }>;
}

const TARGETS: Target[] = [
  { name: "sqlite", enabled: true, create: async (dir) => ({ url: `file:${join(dir, "platform.db")}`, drop: async () => undefined }) },
  { name: "postgres", enabled: postgresAvailable, create: async () => {
    const created = await createPostgresDatabase();
    return { url: created.url, drop: () => created.dropDatabase() };
  } },
];

/** A merchant's file: a bot, admins, a panel and the providers given. */
function envFile(dir: string, name: string, vars: Record<string, string>): string {
  const path = join(dir, `${name}.env`);
  writeFileSync(path, `# ${name}\n${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n")}\n`);
  return path;
}

for (const target of TARGETS) {
  describe.runIf(target.enabled)(`merchant CLI (${target.name})`, { timeout: 600_000 }, () => {
    let dir: string;
    let telegram: FakeTelegram;
    let db: { url: string; drop(): Promise<void> };
    let database: Database;
    let env: Record<string, string>;
    let botA: BotDriver;
    let botB: BotDriver;
    const shopA: Record<string, string> = {};
    const shopB: Record<string, string> = {};
    let fileA: string;
    let fileB: string;
    const cli = (...args: string[]) => runCli(args, env);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "khqr-merchant-cli-"));
      telegram = await createFakeTelegram();
      db = await target.create(dir);
      database = await openDatabase(db.url);
      env = { DOTENV_CONFIG_PATH: join(dir, "absent.env"), DATABASE_URL: db.url, LOG_LEVEL: "warn", PUBLIC_URL, MASTER_KEY: masterKey(), TELEGRAM_API_ROOT: telegram.url };
      Object.assign(shopA, {
        BOT_TOKEN: fakeBotToken(810001, "merchant-cli-a"), ADMIN_IDS: "71", MERCHANT_NAME: "Shop A", PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: `cli-panel-a-${randomBytes(8).toString("hex")}`,
        BAKONG_API_URL: "http://127.0.0.1:9", BAKONG_TOKEN: `cli-bakong-a-${randomBytes(8).toString("hex")}`, BAKONG_ACCOUNT_ID: "shop_a@aclb",
      });
      Object.assign(shopB, {
        BOT_TOKEN: fakeBotToken(810002, "merchant-cli-b"), ADMIN_CHAT_ID: "-1001", MERCHANT_NAME: "Shop B", TOPUP_CURRENCY: "KHR", PANEL_TYPE: "socpanel", PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: `cli-panel-b-${randomBytes(8).toString("hex")}`,
        RAKSMEYPAY_BASE_URL: "http://127.0.0.1:9", RAKSMEYPAY_PROFILE_ID: "rp", RAKSMEYPAY_PROFILE_KEY: `cli-rp-${randomBytes(8).toString("hex")}`, RAKSMEYPAY_WEBHOOK_API_KEY: `cli-rpw-${randomBytes(8).toString("hex")}`,
        PAYWAY_BAKONG_ID: "abaakhppxxx@abaa", PAYWAY_MERCHANT_ID: "125021214532846", PAYWAY_DATA: "0010PAYWAY@ABA0208104514230604A227", PAYWAY_WEBHOOK_TOKEN: `cli-payway-${randomBytes(12).toString("hex")}`,
        KESS_BASE_URL: "http://127.0.0.1:9", KESS_CLIENT_ID: "c", KESS_CLIENT_SECRET: `cli-kcs-${randomBytes(8).toString("hex")}`, KESS_USERNAME: "u", KESS_PASSWORD: `cli-kp-${randomBytes(8).toString("hex")}`, KESS_SELLER_CODE: "s", KESS_API_SECRET: `cli-kas-${randomBytes(8).toString("hex")}`,
      });
      botA = telegram.bot(shopA.BOT_TOKEN!, { username: "shop_a_bot" });
      botB = telegram.bot(shopB.BOT_TOKEN!, { username: "shop_b_bot" });
      fileA = envFile(dir, "a", shopA);
      fileB = envFile(dir, "b", shopB);
    });
    afterAll(async () => {
      await database?.close();
      await telegram?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("merchant add validates, stores, registers the bot's webhook with its secret_token and prints its webhook addresses", async () => {
      const a = await cli("merchant", "add", "shop-a", "--env-file", fileA);
      expect(a).toMatchObject({ code: 0, stderr: "" });
      const stored = await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-a" } });
      expect(stored).toMatchObject({ id: 2, state: "active", botId: 810001n });
      expect(a.stdout).toBe([
        'merchant "shop-a" added: bot @shop_a_bot, active; its Telegram webhook is registered',
        "webhook addresses:",
        `  telegram  ${PUBLIC_URL}/telegram/${stored.routeKey}`,
        "",
      ].join("\n"));
      const [registered] = botA.calls("setWebhook");
      expect(registered?.params).toMatchObject({ url: `${PUBLIC_URL}/telegram/${stored.routeKey}`, secret_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(botA.webhookInfo().url).toBe(`${PUBLIC_URL}/telegram/${stored.routeKey}`);

      const b = await cli("merchant", "add", "shop-b", "--env-file", fileB);
      expect(b).toMatchObject({ code: 0, stderr: "" });
      const key = (await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-b" } })).routeKey!;
      expect(key).not.toBe(stored.routeKey);
      expect(b.stdout).toContain(`  raksmeypay  ${PUBLIC_URL}/webhooks/raksmeypay/${key}\n`);
      expect(b.stdout).toContain(`  kess        ${PUBLIC_URL}/webhooks/kess/${key}\n`);
      // PayWay keeps its secret path token: the address names the variable, the secret is never printed.
      expect(b.stdout).toContain(`  payway      ${PUBLIC_URL}/webhooks/payway/${key}/<PAYWAY_WEBHOOK_TOKEN>\n`);
      expect(b.stdout).not.toContain(shopB.PAYWAY_WEBHOOK_TOKEN);
    });

    it("merchant list --json: every merchant with its bot, state, webhook addresses and verification", async () => {
      // shop-a's test payment succeeded (src/platform/test-payments.ts); shop-b's not yet.
      const verifiedAt = new Date("2026-03-10T05:06:07.000Z");
      await database.db.merchant.update({ where: { name: "shop-a" }, data: { verifiedAt, verifiedTopUpId: 1 } });
      const run = await cli("merchant", "list", "--json");
      expect(run).toMatchObject({ code: 0, stderr: "" });
      const rows = await database.db.merchant.findMany({ orderBy: { id: "asc" } });
      const key = (name: string) => rows.find((r) => r.name === name)!.routeKey!;
      expect(JSON.parse(run.stdout)).toEqual([
        { name: "default", bot: null, state: "active", webhooks: {}, verifiedAt: null },
        { name: "shop-a", bot: "@shop_a_bot", state: "active", webhooks: { telegram: `${PUBLIC_URL}/telegram/${key("shop-a")}` }, verifiedAt: verifiedAt.toISOString() },
        {
          name: "shop-b", bot: "@shop_b_bot", state: "active", verifiedAt: null,
          webhooks: {
            telegram: `${PUBLIC_URL}/telegram/${key("shop-b")}`, raksmeypay: `${PUBLIC_URL}/webhooks/raksmeypay/${key("shop-b")}`,
            kess: `${PUBLIC_URL}/webhooks/kess/${key("shop-b")}`, payway: `${PUBLIC_URL}/webhooks/payway/${key("shop-b")}/<PAYWAY_WEBHOOK_TOKEN>`,
          },
        },
      ]);
      const text = await cli("merchant", "list");
      expect(text.stdout).toMatch(/^shop-b {2}@shop_b_bot {2}active {2}not yet verified$/m);
      expect(text.stdout).toMatch(/^shop-a {2}@shop_a_bot {2}active {2}verified 2026-03-10 12:06$/m);
      // The environment merchant is the deployment's own shop, never onboarded: no verification is shown for it.
      expect(text.stdout).toMatch(/^default {2}- {2}active$/m);
    });

    it("refuses a bad merchant file with start-up's one message naming the variable (exit 2), and stores nothing", async () => {
      const run = await cli("merchant", "add", "shop-x", "--env-file", envFile(dir, "bad", { ...shopA, BOT_TOKEN: fakeBotToken(810009, "x"), TOPUP_MIN: "0x10", BAKONG_ACCOUNT_ID: "no-at-sign" }));
      expect(run).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr).toBe([
        "Invalid configuration:",
        '  - TOPUP_MIN: "0x10" is not a positive USD amount',
        "  - BAKONG_ACCOUNT_ID: a Bakong account id looks like name@bank",
        "",
      ].join("\n"));
      expect(await database.db.merchant.count({ where: { name: "shop-x" } })).toBe(0);
    });

    it("refuses process-wide and unknown variables in a merchant file, naming each (exit 2)", async () => {
      const run = await cli("merchant", "add", "shop-x", "--env-file", envFile(dir, "wide", { ...shopA, DATABASE_URL: "file:/tmp/other.db", MASTER_KEY: masterKey(), PANEL_APIKEY: "typo" }));
      expect(run).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr).toMatch(/^ {2}- DATABASE_URL: process-wide/m);
      expect(run.stderr).toMatch(/^ {2}- MASTER_KEY: process-wide/m);
      expect(run.stderr).toMatch(/^ {2}- PANEL_APIKEY: not a variable of this program/m);
    });

    it("refuses a bot another merchant uses and a name taken (exit 1)", async () => {
      const sameBot = await cli("merchant", "add", "shop-x", "--env-file", fileA);
      expect(sameBot).toMatchObject({ code: 1, stdout: 'bot @shop_a_bot already serves merchant "shop-a": each merchant needs its own bot (@BotFather → /newbot)\n' });
      const c = { ...shopA, BOT_TOKEN: fakeBotToken(810003, "merchant-cli-c") };
      telegram.bot(c.BOT_TOKEN, { username: "shop_c_bot" });
      const sameName = await cli("merchant", "add", "shop-a", "--env-file", envFile(dir, "c", c));
      expect(sameName.code).toBe(1);
      expect(sameName.stdout).toMatch(/^a merchant named "shop-a" exists already/);
      const unknownBot = await cli("merchant", "add", "shop-x", "--env-file", envFile(dir, "unknown", { ...shopA, BOT_TOKEN: fakeBotToken(810404, "nobody") }));
      expect(unknownBot.code).toBe(1);
      expect(unknownBot.stdout).toMatch(/^getMe refused: 401 Unauthorized: BOT_TOKEN is wrong/);
      expect(unknownBot.stdout + unknownBot.stderr).not.toContain("810404:");
      expect(await database.db.merchant.count()).toBe(3);
    });

    it("refuses a wrong or malformed MASTER_KEY, and a platform without PUBLIC_URL (exit 2)", async () => {
      const wrong = await runCli(["merchant", "list"], { ...env, MASTER_KEY: masterKey() });
      expect(wrong).toMatchObject({ code: 2, stdout: "" });
      expect(wrong.stderr).toMatch(/^Invalid configuration:\n {2}- MASTER_KEY: not the key merchant "shop-a"'s secrets are stored under \(stored under key id [0-9a-f]{8}, this MASTER_KEY's id is [0-9a-f]{8}\): use the platform's MASTER_KEY\n$/);
      const malformed = await runCli(["merchant", "add", "shop-x", "--env-file", fileA], { ...env, MASTER_KEY: "too-short" });
      expect(malformed).toMatchObject({ code: 2, stdout: "" });
      expect(malformed.stderr).toContain("MASTER_KEY: must be 32 random bytes in base64");
      expect(malformed.stderr).not.toContain("too-short");
      const { PUBLIC_URL: _gone, ...withoutUrl } = env;
      const noUrl = await runCli(["merchant", "list"], withoutUrl);
      expect(noUrl).toMatchObject({ code: 2, stderr: "Invalid configuration:\n  - PUBLIC_URL: required but not set\n" });
    });

    it("merchant update replaces its settings, bumps its version and registers its webhook again", async () => {
      const before = await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-b" } });
      const run = await cli("merchant", "update", "shop-b", "--env-file", envFile(dir, "b2", { ...shopB, PAYMENT_PROVIDERS: "kess" }));
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toContain('merchant "shop-b" updated (version 2)');
      expect(run.stdout).not.toContain("raksmeypay");
      expect(botB.calls("setWebhook")).toHaveLength(2);
      expect(botB.calls("setWebhook")[1]!.params.secret_token).toBe(botB.calls("setWebhook")[0]!.params.secret_token);
      expect((await database.db.merchant.findUniqueOrThrow({ where: { id: before.id } })).routeKey).toBe(before.routeKey);
      expect((await cli("merchant", "update", "nobody", "--env-file", fileB)).stdout).toBe('no merchant named "nobody"\n');
    });

    it("merchant disable and enable change its state and version", async () => {
      expect(await cli("merchant", "disable", "shop-a")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^merchant "shop-a" disabled/) });
      expect((await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-a" } })).state).toBe("disabled");
      expect(await cli("merchant", "enable", "shop-a")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^merchant "shop-a" enabled/) });
      expect((await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-a" } }))).toMatchObject({ state: "active", version: 3 });
    });

    it("merchant check runs the first-day self-check with that merchant's configuration", async () => {
      const run = await cli("merchant", "check", "shop-a");
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("✓ Telegram: BOT_TOKEN accepted (getMe: @shop_a_bot)");
      const key = (await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-a" } })).routeKey;
      expect(run.stdout).toContain(`✗ Telegram webhook: ${PUBLIC_URL}/telegram/${key} is not https`);
      expect(run.stdout).toMatch(/^\d+ check\(s\) of "shop-a" failed/m);
      for (const secret of [shopA.BOT_TOKEN!, shopA.PANEL_API_KEY!, shopA.BAKONG_TOKEN!]) expect(run.stdout + run.stderr).not.toContain(secret);
    });

    it("rotate-master-key: both keys read meanwhile; after --finish only the new one", async () => {
      const next = masterKey();
      const rotated = await runCli(["rotate-master-key"], { ...env, NEW_MASTER_KEY: next });
      expect(rotated).toMatchObject({ code: 0, stderr: "" });
      expect(rotated.stdout).toMatch(/^2 merchant data key\(s\) wrapped under NEW_MASTER_KEY/);
      expect((await cli("merchant", "list")).code).toBe(0);
      expect((await runCli(["merchant", "list"], { ...env, MASTER_KEY: next })).code).toBe(0);
      expect(await runCli(["rotate-master-key", "--finish"], { ...env, MASTER_KEY: next })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^rotation finished: 2 merchant/) });
      const old = await cli("merchant", "list");
      expect(old.code).toBe(2);
      expect(old.stderr).toContain("MASTER_KEY: not the key");
      env.MASTER_KEY = next;
      expect((await cli("merchant", "list")).code).toBe(0);
    });

    it("a webhook Telegram refuses leaves the merchant stored and says how to register it again (exit 1)", async () => {
      const w = { ...shopA, BOT_TOKEN: fakeBotToken(810005, "merchant-cli-w") };
      telegram.bot(w.BOT_TOKEN, { username: "shop_w_bot" }).failNext("setWebhook", 400);
      const run = await cli("merchant", "add", "shop-w", "--env-file", envFile(dir, "w", w));
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^merchant "shop-w" added, but its Telegram webhook is not registered \(setWebhook refused: 400 .*\): `merchant update shop-w --env-file …` registers it again\n$/);
      expect(await database.db.merchant.count({ where: { name: "shop-w", state: "active" } })).toBe(1);
    });

    it("merchant remove is refused while work is pending; then it forgets the merchant's secrets and frees its bot", async () => {
      const b = await database.db.merchant.findUniqueOrThrow({ where: { name: "shop-b" } });
      const user = await database.db.user.create({ data: { telegramId: 9100n, panelLogin: "carol" } });
      const sqlite = target.name === "sqlite";
      const [later, now] = sqlite ? ["'2099-01-01T00:00:00.000+00:00'", "'2026-12-07T00:00:00.000+00:00'"] : ["'2099-01-01 00:00:00'", "now()"];
      // One top-up awaiting payment at shop-b, and one at the environment merchant, which must not hold shop-b back.
      for (const [reference, merchantId] of [["26120700000001", b.id], ["26120700000002", 1]] as const) {
        await database.db.$executeRawUnsafe(
          `INSERT INTO "top_ups" ("reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "expiresAt", "createdAt", "updatedAt", "merchantId") VALUES ('${reference}', ${user.id}, 1, 'kess', 'KHR', 4000, 'carol', 'PENDING', ${later}, ${now}, ${now}, ${merchantId})`,
        );
      }
      expect(await cli("merchant", "remove", "shop-b")).toMatchObject({ code: 1, stdout: 'merchant "shop-b" is active: `merchant disable shop-b` first (no new top-ups), then remove it once its pending work is settled\n' });
      expect((await cli("merchant", "disable", "shop-b")).code).toBe(0);
      const refused = await cli("merchant", "remove", "shop-b");
      expect(refused).toMatchObject({ code: 1, stdout: 'merchant "shop-b" not removed: 1 top-up(s) awaiting payment; settle them first\n' });
      await database.db.$executeRawUnsafe(`UPDATE "top_ups" SET "status" = 'EXPIRED' WHERE "reference" = '26120700000001'`);
      const removed = await cli("merchant", "remove", "shop-b");
      expect(removed).toMatchObject({ code: 0, stderr: "" });
      expect(await database.db.merchant.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ state: "removed", botId: null, dataKey: null, webhookSecret: null });
      expect(await database.db.merchantSetting.count({ where: { merchantId: b.id } })).toBe(0);
      expect(botB.webhookInfo().url).toBe("");
      expect(await database.db.topUp.count({ where: { reference: "26120700000001" } })).toBe(1);
      expect((await cli("merchant", "remove", "shop-b")).stdout).toBe('merchant "shop-b" was removed already\n');
      expect((await cli("merchant", "add", "shop-b2", "--env-file", fileB)).code).toBe(0);
    });
  });
}
