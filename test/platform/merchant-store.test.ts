import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import { createLocalWakeup, createPgWakeup, type Wakeup } from "../../src/db/wakeup.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { newMerchantKeys } from "../../src/platform/merchant-keys.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";
import { createMerchantStore, MerchantRefusal, type MerchantRecord, type MerchantStore } from "../../src/platform/merchant-store.js";
import { watchMerchants } from "../../src/platform/merchant-watcher.js";
import { fakeBotToken } from "../support/bot-token.js";
import { eventually, silentLog } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const processEnv = { PUBLIC_URL: "https://pay.example", DATABASE_URL: "file:unused.db" };
const newMaster = () => readMasterKey({ MASTER_KEY: randomBytes(32).toString("base64") });

/** A shop's variables with distinctive secrets: a readable prefix and a random core nothing else contains. */
function shopVars(botId: number) {
  const core = () => randomBytes(12).toString("hex");
  return {
    BOT_TOKEN: fakeBotToken(botId, `store-${core()}`), ADMIN_IDS: "7", MERCHANT_NAME: `Shop ${botId}`,
    PANEL_URL: "https://panel.example", PANEL_API_KEY: `store-panel-key-${core()}`,
    BAKONG_TOKEN: `store-bakong-token-${core()}`, BAKONG_ACCOUNT_ID: "shop@aclb",
    KESS_BASE_URL: "https://kess.example", KESS_CLIENT_ID: "client", KESS_CLIENT_SECRET: `store-kess-client-secret-${core()}`,
    KESS_USERNAME: "user", KESS_PASSWORD: `store-kess-password-${core()}`, KESS_SELLER_CODE: "seller", KESS_API_SECRET: `store-kess-api-secret-${core()}`,
  };
}
const bot = (id: number) => ({ id, username: `shop_${id}_bot`, info: JSON.stringify({ id, is_bot: true, username: `shop_${id}_bot` }) });

/** Each secret as is, and the forms it could take in a dump: base64, hex, its random core. */
function needles(secret: string): string[] {
  const core = /[0-9a-f]{24}$/.exec(secret)?.[0] ?? secret;
  return [secret, core, Buffer.from(secret).toString("base64").slice(0, 16), Buffer.from(core).toString("hex").slice(0, 24)];
}

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`merchant store (${dialect.name})`, () => {
    let database: TestDatabase;
    let wakeup: Wakeup;
    let store: MerchantStore;
    const master = newMaster();
    const shopA = shopVars(700001);
    const shopB = shopVars(700002);
    const secretsA = newMerchantKeys();
    const secretsB = newMerchantKeys();

    beforeAll(async () => {
      database = await dialect.fresh();
      wakeup = database.pgPool ? await createPgWakeup(database.pgPool, silentLog) : createLocalWakeup();
      store = createMerchantStore(database, { wakeup });
    });
    afterAll(async () => {
      await wakeup?.close();
      await database?.drop();
    });

    it("migration 011 leaves merchant 1, the environment merchant named default, active and keyless", async () => {
      expect(await store.list()).toEqual([expect.objectContaining({ id: DEFAULT_MERCHANT_ID, name: "default", state: "active", botId: null, routeKey: null, version: 1 })]);
    });

    it("adds merchants with their stored getMe, and loads each one's configuration back as start-up validates it", async () => {
      const a = await store.add({ name: "shop-a", vars: shopA, bot: bot(700001), ...secretsA }, master);
      const b = await store.add({ name: "shop-b", vars: shopB, bot: bot(700002), ...secretsB }, master);
      expect(a).toMatchObject({ id: 2, name: "shop-a", state: "active", botId: 700001n, botUsername: "shop_700001_bot", routeKey: secretsA.routeKey, version: 1 });
      expect(b.id).toBe(3);
      const config = await store.loadConfig(a.id, master, processEnv);
      expect(config.bot).toMatchObject({ token: shopA.BOT_TOKEN, webhookSecret: secretsA.webhookSecret, mode: "webhook", publicUrl: "https://pay.example" });
      expect(config.panel.apiKey).toBe(shopA.PANEL_API_KEY);
      expect(config.providers.enabled).toEqual(["kess", "bakong"]);
      expect((await store.loadConfig(b.id, master, processEnv)).providers.kess?.password).toBe(shopB.KESS_PASSWORD);
    });

    it("refuses a second merchant with the same name or the same bot", async () => {
      const again = (name: string, botId: number) => store.add({ name, vars: shopVars(botId), bot: bot(botId), ...newMerchantKeys() }, master);
      await expect(again("shop-a", 700009)).rejects.toMatchObject({ reason: "duplicate_name" });
      await expect(again("default", 700009)).rejects.toMatchObject({ reason: "duplicate_name" });
      await expect(again("shop-c", 700001)).rejects.toThrow(/bot @shop_700001_bot already serves merchant "shop-a"/);
      expect((await store.list()).map((m) => m.name)).toEqual(["default", "shop-a", "shop-b"]);
    });

    it("the database holds no secret in plain text: every table's rows, and on SQLite the file's bytes", async () => {
      const secrets = [...[shopA, shopB].flatMap((v) => [v.BOT_TOKEN, v.PANEL_API_KEY, v.BAKONG_TOKEN, v.KESS_CLIENT_SECRET, v.KESS_PASSWORD, v.KESS_API_SECRET]), secretsA.webhookSecret, secretsB.webhookSecret];
      const tables = database.dialect === "sqlite"
        ? await database.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
        : await database.db.$queryRawUnsafe<{ name: string }[]>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
      let dump = "";
      for (const { name } of tables) {
        const rows = await database.db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name}"`);
        dump += JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      }
      if (database.sqliteFile) {
        for (const file of [database.sqliteFile, `${database.sqliteFile}-wal`]) if (existsSync(file)) dump += readFileSync(file).toString("latin1");
      }
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["merchants", "merchant_settings"]));
      // The dump has what is stored in plain, so the search can find things: a public value and a variable's name.
      expect(dump).toContain("shop@aclb");
      expect(dump).toContain("KESS_PASSWORD");
      const found = secrets.flatMap((s) => needles(s).filter((n) => dump.includes(n)).map((n) => `${n} of ${s.slice(0, 12)}…`));
      expect(found).toEqual([]);
    });

    it("update replaces the settings and bumps the version; disable, enable and remove too; a removed merchant forgets its secrets and bot", async () => {
      const changed = { ...shopA, TOPUP_MAX: "500" };
      const updated = await store.update("shop-a", { vars: changed, bot: bot(700001) }, master);
      expect(updated.version).toBe(2);
      expect((await store.loadConfig(updated.id, master, processEnv)).topup.maxMinor).toBe(50_000);
      expect((await store.setState("shop-a", "disabled")).state).toBe("disabled");
      expect((await store.setState("shop-a", "active")).version).toBe(4);
      await expect(store.update("shop-b", { vars: shopB, bot: bot(700001) }, master)).rejects.toBeInstanceOf(MerchantRefusal);
      await expect(store.setState("default", "disabled")).rejects.toMatchObject({ reason: "environment_merchant" });
      await expect(store.setState("nobody", "disabled")).rejects.toMatchObject({ reason: "not_found" });

      const removed = await store.remove("shop-b");
      expect(removed).toMatchObject({ state: "removed", botId: null, version: 2 });
      expect(await database.db.merchantSetting.count({ where: { merchantId: removed.id } })).toBe(0);
      await expect(store.setState("shop-b", "active")).rejects.toMatchObject({ reason: "removed" });
      // Its bot can serve a new merchant.
      const c = await store.add({ name: "shop-c", vars: shopVars(700002), bot: bot(700002), ...newMerchantKeys() }, master);
      expect(c.botId).toBe(700002n);
    });

    it("a pending merchant (onboarding) goes live only by an approval, audited once with the operator, and cannot be enabled around it", async () => {
      const pending = await store.add({ name: "shop-pending", vars: shopVars(700010), bot: bot(700010), state: "pending", ...newMerchantKeys() }, master);
      expect(pending.state).toBe("pending");
      await expect(store.setState("shop-pending", "active")).rejects.toMatchObject({ reason: "pending" });
      await expect(store.add({ name: "shop-other", vars: shopVars(700010), bot: bot(700010), ...newMerchantKeys() }, master)).rejects.toMatchObject({ reason: "duplicate_bot" });

      const mark = await store.changeMark();
      const approvals = await Promise.allSettled([store.approve("shop-pending", 4242n), store.approve("shop-pending", 4343n)]);
      expect(approvals.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      expect(approvals.find((a) => a.status === "rejected")).toMatchObject({ reason: { reason: "not_pending" } });
      expect(await store.find("shop-pending")).toMatchObject({ state: "active", version: 2 });
      expect(await store.changeMark()).not.toBe(mark);
      const audit = await database.db.auditLog.findMany({ where: { merchantId: pending.id } });
      expect(audit).toMatchObject([{ action: "merchant_approved", subject: "merchant:shop-pending" }]);
      expect([4242n, 4343n]).toContain(audit[0]!.actorId);
      await expect(store.approve("shop-a", 4242n)).rejects.toMatchObject({ reason: "not_pending" });
    });

    it("the watcher reports an added, changed or disabled merchant once, and nothing when nothing changed", async () => {
      const seen: MerchantRecord[][] = [];
      // A long poll: on PostgreSQL the NOTIFY is what wakes it; on SQLite the test looks itself.
      const watcher = await watchMerchants(store, { log: silentLog, wakeup, everyMs: 60_000, onChange: (changed) => void seen.push(changed) });
      try {
        const look = () => (database.dialect === "sqlite" ? watcher.check() : Promise.resolve());
        await store.setState("shop-c", "disabled");
        await look();
        await eventually(async () => seen.length === 1, "the disable reported");
        expect(seen[0]!.map((m) => [m.name, m.state])).toEqual([["shop-c", "disabled"]]);
        await store.add({ name: "shop-d", vars: shopVars(700004), bot: bot(700004), ...newMerchantKeys() }, master);
        await look();
        await eventually(async () => seen.length === 2, "the new merchant reported");
        expect(seen[1]!.map((m) => m.name)).toEqual(["shop-d"]);
        await watcher.check();
        expect(seen).toHaveLength(2);
      } finally {
        await watcher.stop();
      }
    });

    it("a rotation keeps every merchant readable under the old key and the new one until it is finished", async () => {
      const next = newMaster();
      const before = await store.changeMark();
      const merchants = (await store.list()).filter((m) => m.state !== "removed" && m.id !== DEFAULT_MERCHANT_ID);
      expect(await store.rotateMasterKey(master, next)).toBe(merchants.length);
      // Nothing a running instance must reload: the settings did not change.
      expect(await store.changeMark()).toBe(before);
      for (const m of merchants) {
        expect((await store.secrets(m.id, master)).vars.BOT_TOKEN).toMatch(/^\d+:/);
        expect((await store.secrets(m.id, next)).vars.BOT_TOKEN).toMatch(/^\d+:/);
      }
      await expect(store.assertMasterKey(master)).resolves.toBeUndefined();
      // Running it again changes nothing.
      expect(await store.rotateMasterKey(master, next)).toBe(0);
      // Finishing needs the new key; then the old one opens nothing.
      await expect(store.finishRotation(master)).rejects.toBeInstanceOf(ConfigError);
      expect(await store.finishRotation(next)).toBe(merchants.length);
      await expect(store.secrets(merchants[0]!.id, master)).rejects.toThrow(/^Invalid configuration:\n {2}- MASTER_KEY: not the key merchant "shop-a"'s secrets are stored under/);
      await expect(store.assertMasterKey(next)).resolves.toBeUndefined();
    });

    it("a wrong MASTER_KEY is one ConfigError naming MASTER_KEY and the key ids, never a key", async () => {
      const wrong = newMaster();
      const err = await store.assertMasterKey(wrong).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(new RegExp(`^MASTER_KEY: .*this MASTER_KEY's id is ${wrong.id}`))]);
      expect((err as ConfigError).message).not.toContain(wrong.key.toString("base64"));
    });
  });
}
