import { Hono } from "hono";
import Sqlite from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrationsFor } from "../../src/db/migrate.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { creditMemo } from "../../src/ledger/decide.js";
import { newReference } from "../../src/ledger/reference.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";
import { runCli } from "./run-cli.js";
import { fakeBotToken } from "../support/bot-token.js";

const API_KEY = "panel-key-cli";

/** Answers 503 to anything and counts it: the providers, Telegram and (but for recredit) the panel point here. */
async function startTripwire(): Promise<RunningServer & { hits: string[] }> {
  const hits: string[] = [];
  const app = new Hono();
  app.all("*", (c) => {
    hits.push(`${c.req.method} ${c.req.url}`);
    return c.text("not expected", 503);
  });
  return { ...(await serveApp(app)), hits };
}

interface Seeded {
  reference: string;
  creditId?: number;
}

/** A top-up as the ledger leaves it, with its payment and credit when it was paid. */
async function seedTopUp(
  database: Database,
  input: { userId: number; login: string; amountMinor: number; status: string; credit?: { status: string; lastError?: string } },
): Promise<Seeded> {
  const { db } = database;
  const reference = newReference(new Date());
  const now = new Date();
  const topUp = await db.topUp.create({
    data: {
      reference, userId: input.userId, chatId: 1n, provider: "bakong", currency: "USD", amountMinor: input.amountMinor, panelLogin: input.login,
      status: input.status, expiresAt: new Date(now.getTime() + 10 * 60_000), paidAt: input.credit ? now : null,
    },
  });
  if (!input.credit) return { reference };
  const payment = await db.payment.create({
    data: { provider: "bakong", providerTxnId: `txn-${reference}`, topUpId: topUp.id, amountMinor: input.amountMinor, currency: "USD", flag: "OK", source: "poll", raw: "{}" },
  });
  const credit = await db.credit.create({
    data: {
      paymentId: payment.id, topUpId: topUp.id, panelLogin: input.login, amountMinor: input.amountMinor, currency: "USD", memo: creditMemo(reference, payment.id),
      kind: "payment", status: input.credit.status, attempts: 3, nextAttemptAt: now, lastError: input.credit.lastError ?? null, errorKind: input.credit.lastError ? "rejected" : null,
      doneAt: input.credit.status === "DONE" ? now : null,
    },
  });
  return { reference, creditId: credit.id };
}

describe("operator CLI", () => {
  let dir: string;
  let database: Database;
  let tripwire: Awaited<ReturnType<typeof startTripwire>>;
  let panelSim: PanelSimulator;
  let env: Record<string, string>;
  let open: Seeded, held: Seeded, landed: Seeded, credited: Seeded;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-cli-"));
    database = await openDatabase(`file:${join(dir, "bot.db")}`);
    tripwire = await startTripwire();
    panelSim = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0, bob: 0 } });
    env = {
      DOTENV_CONFIG_PATH: join(dir, "absent.env"),
      DATABASE_URL: `file:${join(dir, "bot.db")}`,
      LOG_LEVEL: "warn",
      BOT_TOKEN: fakeBotToken(123456, "cli-test-token"),
      ADMIN_IDS: "7",
      MERCHANT_NAME: "CLI Shop",
      TELEGRAM_API_ROOT: tripwire.url,
      PANEL_TYPE: "perfectpanel",
      PANEL_URL: tripwire.url,
      PANEL_API_KEY: API_KEY,
      BAKONG_API_URL: tripwire.url,
      BAKONG_TOKEN: "bakong-cli-token",
      BAKONG_ACCOUNT_ID: "shop@aclb",
    };

    const alice = await database.db.user.create({ data: { telegramId: 1001n, username: "alice_tg", panelLogin: "alice" } });
    const bob = await database.db.user.create({ data: { telegramId: 1002n, username: "bob_tg", panelLogin: "bob" } });
    open = await seedTopUp(database, { userId: alice.id, login: "alice", amountMinor: 500, status: "PENDING" });
    held = await seedTopUp(database, { userId: alice.id, login: "alice", amountMinor: 1250, status: "HELD", credit: { status: "HELD", lastError: "panel refused payments/add for alice: User is blocked" } });
    landed = await seedTopUp(database, { userId: bob.id, login: "bob", amountMinor: 700, status: "HELD", credit: { status: "HELD", lastError: "outcome unknown (no answer from the panel)" } });
    credited = await seedTopUp(database, { userId: bob.id, login: "bob", amountMinor: 2000, status: "CREDITED", credit: { status: "DONE" } });
    // The credit whose outcome was unknown did reach the panel.
    const landedCredit = await database.db.credit.findUniqueOrThrow({ where: { id: landed.creditId! } });
    await createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" }).credit("bob", 700, landedCredit.memo);
  });
  afterAll(async () => {
    await database?.close();
    await tripwire?.close();
    await panelSim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrate applies the migrations once, then says the database is up to date", async () => {
    const fresh = { ...env, DATABASE_URL: `file:${join(dir, "fresh.db")}` };
    const first = await runCli(["migrate"], fresh);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout.trim().split("\n")).toEqual(migrationsFor("sqlite").map((m) => `applied ${m.name}`));
    const second = await runCli(["migrate"], fresh);
    expect(second).toMatchObject({ code: 0, stdout: "database is up to date\n" });
  });

  it("export 30d prints the period's top-ups as CSV on stdout", async () => {
    const run = await runCli(["export", "30d"], env);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const [header, ...rows] = run.stdout.trimEnd().split("\n");
    expect(header).toBe("reference,created_at (Asia/Phnom_Penh),provider,status,ordered_amount,currency,telegram_id,username,panel_login,paid_amount,paid_at (Asia/Phnom_Penh),provider_transaction_ids,refunded_amount,bonus_credited (USD)");
    expect(rows.map((r) => r.split(",")[0])).toEqual([open.reference, held.reference, landed.reference, credited.reference]);
    expect(rows[1]!.split(",").slice(2, 9)).toEqual(["bakong", "HELD", "12.50", "USD", "1001", "alice_tg", "alice"]);
  });

  it("report, export, pending, find and migrate run with DATABASE_URL alone (no bot token, no credentials)", async () => {
    const bare = { DOTENV_CONFIG_PATH: env.DOTENV_CONFIG_PATH!, DATABASE_URL: env.DATABASE_URL!, LOG_LEVEL: "warn" };
    const report = await runCli(["report", "30d"], bare);
    expect(report).toMatchObject({ code: 0, stderr: "" });
    expect(report.stdout).toMatch(/^report \d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2} \(/);
    expect(report.stdout).toMatch(/^paid: {5}\d+ payment\(s\), [\d.]+ USD$/m);
    expect(report.stdout).toContain("paid by provider:");
    expect(report.stdout).toContain("top-ups created, by state:");
    expect(await runCli(["export", "30d"], bare)).toMatchObject({ code: 0, stderr: "" });
    expect(await runCli(["pending"], bare)).toMatchObject({ code: 0, stderr: "" });
    expect(await runCli(["find", "alice"], bare)).toMatchObject({ code: 0, stderr: "" });
    expect(await runCli(["migrate"], bare)).toMatchObject({ code: 0, stdout: "database is up to date\n" });
    // A credential that is set is still checked: half a provider is a configuration error, as for the bot.
    const half = await runCli(["pending"], { ...bare, KESS_CLIENT_ID: "only-this" });
    expect(half).toMatchObject({ code: 2, stdout: "" });
    expect(half.stderr).toContain("KESS_CLIENT_SECRET: required but not set");
  });

  it("find shows a top-up's timeline by reference, a customer by login or Telegram id, an orphan payment by transaction id, and exits 1 when nothing matches", async () => {
    const byReference = await runCli(["find", held.reference], env);
    expect(byReference).toMatchObject({ code: 0, stderr: "" });
    expect(byReference.stdout).toMatch(new RegExp(`^top-up ${held.reference}: HELD, 12\\.50 USD via bakong for panel login alice, customer @alice_tg \\(1001\\)$`, "m"));
    expect(byReference.stdout).toMatch(/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2} {2}created {2}12\.50 USD via bakong for alice$/m);
    expect(byReference.stdout).toMatch(/ {2}held {2}panel refused payments\/add for alice: User is blocked$/m);

    const byLogin = await runCli(["find", "bob"], env);
    expect(byLogin.stdout).toMatch(/^customer @bob_tg \(1002\): panel login bob, /m);
    expect(byLogin.stdout).toContain(credited.reference);
    const byTelegramId = await runCli(["find", "1001"], env);
    expect(byTelegramId.stdout).toMatch(/^customer @alice_tg \(1001\)/m);

    const none = await runCli(["find", "nobody-here"], env);
    expect(none).toMatchObject({ code: 1, stdout: 'nothing found for "nobody-here" (a reference, provider transaction id, @username, Telegram id or panel login)\n' });

    // A payment that matched no top-up of ours (an orphan) is found by the provider's transaction id.
    await database.db.payment.create({
      data: { provider: "raksmeypay", providerTxnId: "rp-orphan-77", reference: "99990000000001", topUpId: null, amountMinor: 300, currency: "USD", flag: "ORPHAN", source: "webhook", raw: "{}" },
    });
    const orphan = await runCli(["find", "rp-orphan-77"], env);
    expect(orphan).toMatchObject({ code: 0, stderr: "" });
    expect(orphan.stdout).toMatch(/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2} {2}raksmeypay txn rp-orphan-77 {2}3\.00 USD {2}ORPHAN {2}no top-up of ours \(orphan, reference sent: 99990000000001\)$/m);
  });

  it("credit queues a manual credit to a login, audited as the operator; a bad amount is a usage error", async () => {
    const run = await runCli(["credit", "alice", "3.25", "goodwill", "for", "the", "outage"], env);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const match = /^queued credit #(\d+): 3\.25 USD to alice, memo "(KHQR MANUAL [0-9a-f]+)": the running bot's crediter applies it on its next sweep/.exec(run.stdout);
    expect(match, run.stdout).not.toBeNull();
    const credit = await database.db.credit.findUniqueOrThrow({ where: { id: Number(match![1]) } });
    expect(credit).toMatchObject({ panelLogin: "alice", amountMinor: 325, currency: "USD", memo: match![2], status: "QUEUED", kind: "manual" });
    expect(await database.db.auditLog.findMany({ where: { subject: "alice", action: "manual_credit" } })).toMatchObject([{ actorId: 0n, reason: "goodwill for the outage" }]);

    const bad = await runCli(["credit", "alice", "3.257", "typo"], env);
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain('not an amount: "3.257" (USD amounts are digits with at most 2 decimals, e.g. 10 or 10.50)');
  });

  it("credit above TOPUP_MAX needs --yes", async () => {
    const manual = () => database.db.credit.count({ where: { kind: "manual", amountMinor: 150_000 } });
    const unconfirmed = await runCli(["credit", "bob", "1500", "year-end", "bonus"], env);
    expect(unconfirmed).toMatchObject({
      code: 1, stderr: "",
      stdout: "1,500.00 USD is more than the largest top-up (TOPUP_MAX, 1,000.00 USD): nothing credited; run it again with --yes if that amount is meant\n",
    });
    expect(await manual()).toBe(0);
    const confirmed = await runCli(["credit", "bob", "1500", "year-end", "bonus", "--yes"], env);
    expect(confirmed).toMatchObject({ code: 0, stderr: "" });
    expect(confirmed.stdout).toMatch(/^queued credit #\d+: 1,500\.00 USD to bob/);
    expect(await database.db.credit.findMany({ where: { kind: "manual", amountMinor: 150_000 } })).toMatchObject([{ panelLogin: "bob", status: "QUEUED" }]);
  });

  it("refund refuses an amount it cannot read instead of refunding everything, exit 2", async () => {
    const bad = ["-5", "10,5", "12.345", "$10", "1e3"];
    const runs = await Promise.all(bad.map((amount) => runCli(["refund", credited.reference, amount, "customer", "asked", "--yes"], env)));
    runs.forEach((run, i) => {
      expect(run, bad[i]).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr, bad[i]).toContain(`not an amount: "${bad[i]}" (USD amounts are digits with at most 2 decimals, e.g. 10 or 10.50); nothing refunded`);
    });
    expect(await database.db.refund.count({ where: { topUp: { reference: credited.reference } } })).toBe(0);
  });

  it("refund shows the plan and changes nothing without --yes; with --yes it refunds once, audited", async () => {
    const plan = await runCli(["refund", credited.reference, "5", "customer", "asked"], env);
    expect(plan).toMatchObject({ code: 0, stderr: "" });
    expect(plan.stdout).toContain(`refund plan for ${credited.reference}: 5.00 USD of 20.00 USD refundable`);
    expect(plan.stdout).toContain("reason: customer asked");
    expect(plan.stdout).toContain("nothing refunded yet: run it again with --yes to refund");
    expect(await database.db.refund.count()).toBe(0);

    const done = await runCli(["refund", credited.reference, "5", "customer", "asked", "--yes"], env);
    expect(done).toMatchObject({ code: 0, stderr: "" });
    expect(done.stdout).toMatch(new RegExp(`^refund #\\d+ of ${credited.reference}: 5\\.00 USD$`, "m"));
    // The CLI's providers here have no refund API: the refund waits for the money to be returned by hand.
    expect(done.stdout).toContain(`pending:  return the money by hand, then press "Money returned" in the bot (/refund ${credited.reference} shows the button)`);
    expect(await database.db.refund.findMany()).toMatchObject([{ amountMinor: 500, reason: "customer asked" }]);
    expect(await database.db.auditLog.count({ where: { subject: credited.reference, actorId: 0n } })).toBeGreaterThan(0);

    const unpaid = await runCli(["refund", open.reference, "--yes"], env);
    expect(unpaid).toMatchObject({ code: 1, stdout: `${open.reference}: this top-up was never paid: nothing to refund\n` });
  });

  it("--help prints the usage with every command, exit 0", async () => {
    const run = await runCli(["--help"], {});
    expect(run).toMatchObject({ code: 0, stderr: "" });
    for (const command of ["report", "export", "pending", "find", "migrate", "recredit", "credit", "refund"]) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${command}( |,)`, "m"));
    }
  });

  it("a database it cannot create is one line saying what and where, exit 1", async () => {
    const run = await runCli(["migrate"], { DOTENV_CONFIG_PATH: env.DOTENV_CONFIG_PATH!, DATABASE_URL: "file:/proc/1/x/bot.db" });
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^cannot create the folder \/proc\/1\/x for the SQLite database \/proc\/1\/x\/bot\.db: /)]);
  });

  it("the CLI leaves a missing file missing and an old database unmigrated", async () => {
    const typo = join(dir, "typo", "bot.db");
    // A command that reads, and one that changes money.
    for (const args of [["pending"], ["credit", "alice", "1", "goodwill"]]) {
      const run = await runCli(args, { ...env, DATABASE_URL: `file:${typo}` });
      expect(run, args[0]).toMatchObject({ code: 1, stdout: "", stderr: `no SQLite database at ${typo} (DATABASE_URL): a mistyped path? \`migrate\` creates a new database\n` });
    }
    expect(existsSync(join(dir, "typo"))).toBe(false);

    // A database of the previous version: every migration but the last applied.
    const oldFile = join(dir, "old.db");
    const migrations = migrationsFor("sqlite");
    const old = new Sqlite(oldFile);
    for (const m of migrations.slice(0, -1)) {
      old.exec(m.sql);
      old.exec(`CREATE TABLE IF NOT EXISTS "_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`);
      old.prepare(`INSERT INTO "_migrations" VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
    }
    old.close();
    const oldEnv = { ...env, DATABASE_URL: `file:${oldFile}` };
    const applied = () => {
      const db = new Sqlite(oldFile, { readonly: true });
      try {
        return (db.prepare(`SELECT name FROM "_migrations" ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
      } finally {
        db.close();
      }
    };
    for (const args of [["pending"], ["credit", "alice", "1", "goodwill"]]) {
      const run = await runCli(args, oldEnv);
      expect(run, args[0]).toMatchObject({ code: 1, stdout: "", stderr: `the SQLite database ${oldFile} is not up to date (1 of ${migrations.length} migrations not applied): run \`migrate\` first\n` });
    }
    expect(applied()).toEqual(migrations.slice(0, -1).map((m) => m.name));

    expect(await runCli(["migrate"], oldEnv)).toMatchObject({ code: 0, stdout: `applied ${migrations.at(-1)!.name}\n` });
    expect(await runCli(["pending"], oldEnv)).toMatchObject({ code: 0, stderr: "" });
  });

  it("a database migrated by a newer version is refused, one line, exit 1", async () => {
    const newerFile = join(dir, "newer.db");
    const newer = await openDatabase(`file:${newerFile}`);
    await newer.db.$executeRawUnsafe(`INSERT INTO "_migrations" VALUES ('999_from_the_future.sql', 'x', '2030-01-01T00:00:00.000Z')`);
    await newer.close();
    const run = await runCli(["report"], { ...env, DATABASE_URL: `file:${newerFile}` });
    expect(run).toMatchObject({ code: 1, stdout: "", stderr: `the SQLite database ${newerFile} was migrated by a newer version of this program (999_from_the_future.sql is unknown here): use that version\n` });
  });

  it("report, pending, find and export open the database read-only", async () => {
    const readOnly = await openDatabase(env.DATABASE_URL!, { existing: "read-only" });
    try {
      await expect(readOnly.db.user.create({ data: { telegramId: 9009n, panelLogin: "nobody" } })).rejects.toThrow(/readonly/i);
      expect(await readOnly.db.user.count({ where: { telegramId: 9009n } })).toBe(0);
      expect(await readOnly.db.topUp.count()).toBeGreaterThan(0);
    } finally {
      await readOnly.close();
    }
  });

  it("export with a period it does not understand prints the usage and exits 2", async () => {
    const run = await runCli(["export", "last-week"], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain('not a period: "last-week"');
    expect(run.stderr).toContain("usage: npm run cli -- <command>");
  });

  it("pending lists the open top-up and the held credits with their reasons", async () => {
    const run = await runCli(["pending"], env);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const line = (reference: string) => run.stdout.split("\n").find((l) => l.startsWith(reference));
    expect(run.stdout.split("\n")[0]).toMatch(/^REFERENCE\s+LOGIN\s+AMOUNT\s+STATUS \/ REASON$/);
    expect(line(open.reference)).toMatch(/alice\s+5\.00 USD\s+PENDING via bakong until /);
    expect(line(held.reference)).toMatch(/alice\s+12\.50 USD\s+HELD: panel refused payments\/add for alice: User is blocked$/);
    expect(line(landed.reference)).toMatch(/bob\s+7\.00 USD\s+HELD: outcome unknown/);
    expect(line(credited.reference)).toBeUndefined();
    expect(run.stdout).toContain("1 open top-up(s), 2 held credit(s)");
  });

  it("recredit queues a held credit again, audited as the operator CLI; nothing is sent to the panel", async () => {
    const withPanel = { ...env, PANEL_URL: panelSim.url };
    const run = await runCli(["recredit", held.reference, "customer", "unblocked"], withPanel);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(`queued credit #${held.creditId} of ${held.reference} again: the running bot's crediter applies it on its next sweep; if no bot is running, it is applied at the next start\n`);

    const credit = await database.db.credit.findUniqueOrThrow({ where: { id: held.creditId! } });
    expect(credit).toMatchObject({ status: "QUEUED", attempts: 0, lastError: null, panelLogin: "alice" });
    expect((await database.db.topUp.findUniqueOrThrow({ where: { reference: held.reference } })).status).toBe("PAID");
    const audits = await database.db.auditLog.findMany({ where: { subject: held.reference } });
    expect(audits).toMatchObject([{ actorId: 0n, action: "recredit", reason: "customer unblocked" }]);
    expect(panelSim.payments.filter((p) => p.login === "alice")).toEqual([]);

    const again = await runCli(["recredit", held.reference], withPanel);
    expect(again).toMatchObject({ code: 1, stdout: `${held.reference} has no held credit: nothing to re-credit\n` });
    const unknown = await runCli(["recredit", "99999999999999"], withPanel);
    expect(unknown).toMatchObject({ code: 1, stdout: "no top-up with reference 99999999999999\n" });
  });

  it("recredit of a credit that did reach the panel finds its memo and marks it credited instead", async () => {
    const run = await runCli(["recredit", landed.reference], { ...env, PANEL_URL: panelSim.url });
    expect(run).toMatchObject({ code: 0, stdout: `credit #${landed.creditId} of ${landed.reference} was already on the panel: marked credited, nothing sent\n` });
    expect((await database.db.credit.findUniqueOrThrow({ where: { id: landed.creditId! } })).status).toBe("DONE");
    expect(await database.db.auditLog.findMany({ where: { subject: landed.reference } })).toMatchObject([{ actorId: 0n, action: "recredit", reason: "operator CLI" }]);
    expect(panelSim.payments.filter((p) => p.login === "bob")).toHaveLength(1);
  });

  it("a command that calls the panel needs its variables: a missing one is a configuration error naming it, exit 2", async () => {
    const { PANEL_API_KEY: _omitted, ...partial } = env;
    const run = await runCli(["recredit", held.reference], partial);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toContain("PANEL_API_KEY: required but not set");
  });

  it("an unknown command prints the usage and exits 2", async () => {
    const run = await runCli(["refund-everything"], env);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toContain("unknown command: refund-everything");
    expect(run.stderr).toMatch(/^ {2}recredit <reference> \[--to <login> \| --landed\] \[reason\]/m);
  });

  it("contacted no provider or Telegram, and the panel only to read (recredit's memo lookup, a refund plan's balance)", () => {
    expect(tripwire.hits.filter((hit) => !/^GET .*\/adminapi\/v2\/users\?username=/.test(hit))).toEqual([]);
  });
});
