import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import type { MerchantContext, MerchantContextSpec } from "../../src/merchants/context.js";
import { servePlatform, type Platform } from "../../src/merchants/platform.js";
import { createMerchantRegistry } from "../../src/merchants/registry.js";
import type { Shared } from "../../src/merchants/shared.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { newMerchantKeys } from "../../src/platform/merchant-keys.js";
import { createMerchantStore } from "../../src/platform/merchant-store.js";
import { fakeBotToken } from "../support/bot-token.js";
import { silentLog } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

/** Issue 23: a shop onboarding stored is pending, and a running platform serves it only once an operator approves it. */
const processEnv = { PUBLIC_URL: "https://platform.example", DATABASE_URL: "file:unused.db" };
const master = readMasterKey({ MASTER_KEY: randomBytes(32).toString("base64") });
const vars = {
  BOT_TOKEN: fakeBotToken(8_300_000_001, "pending-shop"), ADMIN_IDS: "7", MERCHANT_NAME: "Pending Shop",
  PANEL_URL: "https://panel.example", PANEL_API_KEY: "pending-panel-key", BAKONG_TOKEN: "pending-bakong-token", BAKONG_ACCOUNT_ID: "shop@aclb",
};

let database: TestDatabase;
let platform: Platform | undefined;
beforeAll(async () => {
  database = await freshSqlite();
});
afterAll(async () => {
  await platform?.stop();
  await database?.drop();
});

describe("a pending merchant", () => {
  it("is not served until it is approved", async () => {
    const wakeup = createLocalWakeup();
    const store = createMerchantStore(database, { wakeup });
    const bot = { id: 8_300_000_001, username: "pending_shop_bot", info: JSON.stringify({ id: 8_300_000_001, is_bot: true, username: "pending_shop_bot" }) };
    const pending = await store.add({ name: "pending-shop", vars, bot, state: "pending", ...newMerchantKeys() }, master);
    const registry = createMerchantRegistry();
    const built: MerchantContextSpec[] = [];
    const build = (spec: MerchantContextSpec) => {
      built.push(spec);
      return { id: spec.id, routeKey: spec.routeKey, state: spec.state, config: spec.config, close: async () => undefined } as unknown as MerchantContext;
    };
    const shared = { database, wakeup, log: silentLog } as unknown as Shared;
    platform = await servePlatform(shared, registry, build, { masterKey: master, processEnv, watchEveryMs: 60_000 });
    expect(built).toEqual([]);
    expect(registry.byRouteKey(pending.routeKey!)).toBeUndefined();

    await store.approve("pending-shop", 9n);
    await platform.refresh();
    expect(built.map((s) => [s.id, s.state])).toEqual([[pending.id, "active"]]);
    expect(registry.byRouteKey(pending.routeKey!)?.state).toBe("active");
  });
});
