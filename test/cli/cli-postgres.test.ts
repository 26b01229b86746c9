import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrationsFor } from "../../src/db/migrate.js";
import { eventually } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";
import { runCli } from "./run-cli.js";
import { fakeBotToken } from "../support/bot-token.js";

describe.runIf(postgresAvailable)("operator CLI on PostgreSQL", () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let database: Database;
  let listener: pg.Client;
  let heard = 0;

  beforeAll(async () => {
    created = await createPostgresDatabase();
    database = await openDatabase(created.url);
    listener = new pg.Client({ connectionString: created.url });
    await listener.connect();
    listener.on("notification", (msg) => void (msg.channel === "khqr_credits" && heard++));
    await listener.query("LISTEN khqr_credits");
  });
  afterAll(async () => {
    await listener?.end();
    await database?.close();
    if (created) {
      await created.dropDatabase();
    }
  });

  it("recredit wakes a running bot's crediter: its NOTIFY goes out before the CLI exits", async () => {
    const { db } = database;
    const user = await db.user.create({ data: { telegramId: 2001n, panelLogin: "carol" } });
    const topUp = await db.topUp.create({
      data: { reference: "26010100000042", userId: user.id, chatId: 1n, provider: "bakong", currency: "USD", amountMinor: 300, panelLogin: "carol", status: "HELD", expiresAt: new Date() },
    });
    const credit = await db.credit.create({
      data: { topUpId: topUp.id, panelLogin: "carol", amountMinor: 300, currency: "USD", memo: "KHQR 26010100000042 1", kind: "payment", status: "HELD", nextAttemptAt: new Date(), lastError: "panel refused" },
    });
    // SocPanel has no payment list, so the re-credit is queued without a panel call (nothing listens on port 9).
    const run = await runCli(["recredit", topUp.reference], {
      DOTENV_CONFIG_PATH: "/nonexistent/.env", DATABASE_URL: created.url, LOG_LEVEL: "warn",
      BOT_TOKEN: fakeBotToken(123456, "cli-pg-token"), ADMIN_IDS: "7", MERCHANT_NAME: "CLI Shop", PANEL_TYPE: "socpanel", PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: "panel-key-cli-pg",
      BAKONG_API_URL: "http://127.0.0.1:9", BAKONG_TOKEN: "bakong-cli-pg-token", BAKONG_ACCOUNT_ID: "shop@aclb",
    });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain(`queued credit #${credit.id} of ${topUp.reference} again: the running bot's crediter applies it now`);
    expect((await db.credit.findUniqueOrThrow({ where: { id: credit.id } })).status).toBe("QUEUED");
    await eventually(async () => heard > 0, "the credits NOTIFY", 5_000);
  });

  it("report, pending, find and export run on a read-only connection; a write through it is refused", async () => {
    const bare = { DOTENV_CONFIG_PATH: "/nonexistent/.env", DATABASE_URL: created.url, LOG_LEVEL: "warn" };
    const runs = await Promise.all([["report", "30d"], ["pending"], ["find", "carol"], ["export", "30d"]].map((args) => runCli(args, bare)));
    for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: "" });
    const readOnly = await openDatabase(created.url, { existing: "read-only" });
    try {
      await expect(readOnly.db.user.create({ data: { telegramId: 9009n, panelLogin: "nobody" } })).rejects.toThrow(/read-only transaction/);
    } finally {
      await readOnly.close();
    }
    expect(await database.db.user.count({ where: { telegramId: 9009n } })).toBe(0);
  });

  it("the CLI leaves an unmigrated database unmigrated and refuses one migrated by a newer version", async () => {
    const fresh = await createPostgresDatabase();
    try {
      const env = {
        DOTENV_CONFIG_PATH: "/nonexistent/.env", DATABASE_URL: fresh.url, LOG_LEVEL: "warn",
        BOT_TOKEN: fakeBotToken(123456, "cli-pg-token"), ADMIN_IDS: "7", MERCHANT_NAME: "CLI Shop", PANEL_TYPE: "socpanel", PANEL_URL: "http://127.0.0.1:9", PANEL_API_KEY: "panel-key-cli-pg",
        BAKONG_API_URL: "http://127.0.0.1:9", BAKONG_TOKEN: "bakong-cli-pg-token", BAKONG_ACCOUNT_ID: "shop@aclb",
      };
      const url = new URL(fresh.url);
      const place = `the PostgreSQL database ${url.pathname.slice(1)} at ${url.hostname}:${url.port || "5432"}`;
      const count = migrationsFor("postgres").length;
      for (const args of [["pending"], ["credit", "carol", "1", "goodwill"]]) {
        const run = await runCli(args, env);
        expect(run, args[0]).toMatchObject({ code: 1, stdout: "", stderr: `${place} is not up to date (${count} of ${count} migrations not applied): run \`migrate\` first\n` });
      }
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        expect((await client.query(`SELECT to_regclass('"_migrations"')::text AS found`)).rows).toEqual([{ found: null }]);
        expect(await runCli(["migrate"], env)).toMatchObject({ code: 0, stderr: "" });
        await client.query(`INSERT INTO "_migrations" VALUES ('999_from_the_future.sql', 'x', now())`);
      } finally {
        await client.end();
      }
      const newer = await runCli(["report"], env);
      expect(newer).toMatchObject({ code: 1, stdout: "", stderr: `${place} was migrated by a newer version of this program (999_from_the_future.sql is unknown here): use that version\n` });
    } finally {
      await fresh.dropDatabase();
    }
  });
});
