import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, loadProcessConfig, SECRET_VARIABLES, type PanelType, type ProcessConfig, type ProviderName } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { startApplication, type Application } from "../../src/main.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { startSocPanelSimulator } from "../../sandbox/panels/socpanel-simulator.js";
import { startAhnajakSimulator, type AhnajakSimulator } from "../../sandbox/providers/ahnajak-simulator.js";
import { startBakongSimulator, type BakongSimulator } from "../../sandbox/providers/bakong-simulator.js";
import { startKessSimulator, type KessSimulator } from "../../sandbox/providers/kess-simulator.js";
import { startPayWaySimulator, type PayWaySimulator } from "../../sandbox/providers/payway-simulator.js";
import { startRaksmeyPaySimulator, type RaksmeyPaySimulator } from "../../sandbox/providers/raksmeypay-simulator.js";
import { SANDBOX_ADMIN, SANDBOX_ADMIN_CHAT, SANDBOX_CUSTOMER, SANDBOX_PANEL_USERS, startSandbox, type Sandbox } from "../../sandbox/start-sandbox.js";
import type { BotDriver, ChatMessage } from "../../sandbox/telegram/index.js";
import { eventually } from "../support/core.js";
import { startLoadBalancer, type LoadBalancer, type ProxiedExchange } from "../support/load-balancer.js";
import { createFakeTelegram, type FakeTelegram } from "../../sandbox/telegram/index.js";
import { openDatabase } from "../../src/db/database.js";
import { PLATFORM_SECRET_VARIABLES, PROCESS_VARIABLES } from "../../src/config/variable-scopes.js";
import { readOperatorBot } from "../../src/platform/operator-settings.js";
import { readPlatformSettings } from "../../src/platform/platform-settings.js";
import { TEST_PAYMENT_START } from "../../src/platform/test-payments.js";
import { nextMessage } from "../bot/harness.js";
import { runCli, type CliRun } from "../cli/run-cli.js";
import { CHAOS, summaryLine } from "./helpers.js";
import { Hono } from "hono";
import { readMasterKey } from "../../src/platform/master-key.js";
import { serveApp } from "../../sandbox/serve.js";
import { freePort, merchantCli, routeKeyOf } from "../support/platform.js";

/**
 * Invariant 6: secrets never reach logs, chat messages or error replies. The whole application runs
 * against the sandbox's simulators with every secret variable set to a distinctive value the
 * simulators accept; a customer tops up through each provider, calls fail with a wrong provider key
 * and a panel error, an admin looks at everything; then every log line, every message and file the
 * bot sent, every HTTP answer of our server and every stored row is searched for every secret.
 */

// The run is repeated per panel type: PerfectPanel v2 sends the key in a header, v1 in a form field, SocPanel in the URL.
const PANEL_TYPES: readonly PanelType[] = CHAOS || process.env.SECRETS_ALL_PANELS ? ["perfectpanel", "perfectpanel-v1", "socpanel"] : ["perfectpanel", "socpanel"];
const PROVIDERS: readonly ProviderName[] = ["raksmeypay", "kess", "ahnajak", "payway", "bakong"];
const CUSTOMER: number = SANDBOX_CUSTOMER.id;
const ADMIN: number = SANDBOX_ADMIN.id;

type SecretName = (typeof SECRET_VARIABLES)[number];

/** A distinctive value: a readable prefix and a random hex core that nothing else in the run can contain. */
function secretValues(): Record<SecretName, string> {
  const core = () => randomBytes(12).toString("hex");
  return {
    // BotFather's shape: 35 characters after the colon.
    BOT_TOKEN: `${randomInt(1_000_000_000, 9_999_999_999)}:RELbot-tok-${core()}`,
    TELEGRAM_WEBHOOK_SECRET: `rel_tg_secret_${core()}`,
    RAKSMEYPAY_PROFILE_KEY: `rel-rp-profile-key-${core()}`,
    RAKSMEYPAY_WEBHOOK_API_KEY: `rel-rp-webhook-key-${core()}`,
    KESS_CLIENT_SECRET: `rel-kess-client-secret-${core()}`,
    KESS_PASSWORD: `rel-kess-password-${core()}`,
    KESS_API_SECRET: `rel-kess-api-secret-${core()}`,
    AHNAJAK_SECRET_KEY: `rel-ahnajak-secret-${core()}`,
    PAYWAY_WEBHOOK_TOKEN: `rel-payway-token-${core()}`,
    BAKONG_TOKEN: `rel-bakong-token-${core()}`,
    PANEL_API_KEY: `rel-panel-key-${core()}`,
    METRICS_TOKEN: `rel-metrics-token-${core()}`,
  };
}

/** Every form a secret could take on its way out: as is, its random core, encoded, or cut short. */
function needles(secret: string): string[] {
  const core = /[0-9a-f]{24}$/.exec(secret)?.[0];
  // MASTER_KEY is base64 of its 32 bytes: looked for as is, cut short, and as the hex of its bytes.
  if (!core) return [secret, secret.slice(0, 16), secret.slice(-16), Buffer.from(secret, "base64").toString("hex").slice(0, 24)];
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
  // Base64 of the secret at each of the three byte alignments, without the edge characters that depend on neighbours.
  const aligned = [0, 1, 2].flatMap((pad) => {
    const enc = b64("x".repeat(pad) + secret);
    const start = Math.ceil((pad * 4) / 3) + 1;
    return [enc.slice(start, start + 16)];
  });
  return [
    ...new Set([
      secret,
      core,
      core.slice(0, 12),
      core.slice(-12),
      encodeURIComponent(secret),
      b64(secret).slice(0, 16),
      b64url(secret).slice(0, 16),
      ...aligned,
      Buffer.from(core.slice(0, 12), "utf8").toString("hex"),
    ]),
  ];
}

interface Haystack {
  where: string;
  text: string;
}

interface Hit {
  secret: string;
  where: string;
  needle: string;
  context: string;
}

function search(haystacks: readonly Haystack[], secrets: Readonly<Record<string, string>>): Hit[] {
  const hits: Hit[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const forms = needles(value);
    for (const h of haystacks) {
      for (const needle of forms) {
        const at = h.text.indexOf(needle);
        if (at >= 0) hits.push({ secret: name, where: h.where, needle, context: h.text.slice(Math.max(0, at - 80), at + needle.length + 80) });
      }
    }
  }
  return hits;
}

const textOf = (m: ChatMessage) => m.text ?? m.caption ?? "";
const bytesText = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("latin1") : "");
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString("latin1") : x));

/** Every stored row of the SQLite database at `url`, but the tables named in `except`. */
async function storedRows(url: string, except: readonly string[] = []): Promise<Haystack[]> {
  const haystacks: Haystack[] = [];
  const database = await openDatabase(url);
  try {
    for (const { name } of await database.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`)) {
      if (except.includes(name)) continue;
      const rows = await database.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${name}"`);
      for (const [i, row] of rows.entries()) haystacks.push({ where: `stored: table ${name} row ${i}`, text: json(row) });
    }
  } finally {
    await database.close();
  }
  return haystacks;
}

const scanned = { logBytes: 0, logLines: 0, redactedMarks: 0, messages: 0, fileBytes: 0, botCalls: 0, httpAnswers: 0, httpErrors: 0, rows: 0, tables: 0, hits: 0, runs: 0, failedCalls: 0 };

afterAll(() => {
  summaryLine("secrets", {
    "panel types": PANEL_TYPES.join("/"),
    "secret variables": SECRET_VARIABLES.length,
    "log lines": scanned.logLines,
    "log bytes": scanned.logBytes,
    "masked by the logger": scanned.redactedMarks,
    "bot messages": scanned.messages,
    "file bytes": scanned.fileBytes,
    "bot API calls": scanned.botCalls,
    "HTTP answers": scanned.httpAnswers,
    "HTTP error answers": scanned.httpErrors,
    "failing calls provoked": scanned.failedCalls,
    "stored rows": scanned.rows,
    tables: scanned.tables,
    "secret hits": scanned.hits,
  });
});

for (const panelType of PANEL_TYPES) {
  // The first panel type gets the whole run; the others what concerns a panel (its key is the only secret that changes hands differently).
  const full = panelType === PANEL_TYPES[0];
  describe(`secrets stay secret (panel ${panelType}${full ? ", every provider" : ", panel paths"})`, { timeout: 180_000 }, () => {
    const secrets = secretValues();
    const logChunks: string[] = [];
    const exchanges: ProxiedExchange[] = [];
    let dir: string;
    let sandbox: Sandbox;
    let lb: LoadBalancer;
    let app: Application;
    let bot: BotDriver;
    let panel: PanelSimulator;
    let sims: { raksmeypay: RaksmeyPaySimulator; kess: KessSimulator; ahnajak: AhnajakSimulator; payway: PayWaySimulator; bakong: BakongSimulator };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "khqr-secrets-"));
      // The sandbox supplies Telegram and the non-secret settings; the simulators are started with our secrets.
      sandbox = await startSandbox({ providers: [], panelType });
      sims = {
        raksmeypay: await startRaksmeyPaySimulator({ profileId: "rel-profile", profileKey: secrets.RAKSMEYPAY_PROFILE_KEY, webhookApiKey: secrets.RAKSMEYPAY_WEBHOOK_API_KEY }),
        kess: await startKessSimulator({ clientSecret: secrets.KESS_CLIENT_SECRET, password: secrets.KESS_PASSWORD, apiSecret: secrets.KESS_API_SECRET }),
        ahnajak: await startAhnajakSimulator({ profileId: "rel-ahnajak", secretKey: secrets.AHNAJAK_SECRET_KEY }),
        payway: await startPayWaySimulator(),
        bakong: await startBakongSimulator({ token: secrets.BAKONG_TOKEN }),
      };
      const panelOpts = { apiKey: secrets.PANEL_API_KEY, users: { ...SANDBOX_PANEL_USERS } };
      panel = panelType === "socpanel" ? await startSocPanelSimulator(panelOpts) : await startPerfectPanelSimulator(panelOpts);
      bot = sandbox.telegram.bot(secrets.BOT_TOKEN, { username: "khqr_secrets_bot", first_name: "KHQR Top-up (secrets)" });
      bot.addUser(SANDBOX_CUSTOMER);
      bot.addUser(SANDBOX_ADMIN);
      bot.addGroup({ id: SANDBOX_ADMIN_CHAT, title: "Admins", botIsAdmin: true });
      // Everything that reaches our server goes through this proxy, which keeps every answer.
      lb = await startLoadBalancer({ onExchange: (e) => exchanges.push(e) });

      const kess = sims.kess.config();
      const env: Record<string, string> = {
        ...sandbox.env,
        ...secrets,
        BOT_MODE: "webhook",
        PUBLIC_URL: lb.url,
        PAYMENT_PROVIDERS: PROVIDERS.join(","),
        RAKSMEYPAY_BASE_URL: sims.raksmeypay.url, RAKSMEYPAY_PROFILE_ID: "rel-profile",
        KESS_BASE_URL: kess.baseUrl, KESS_CLIENT_ID: kess.clientId, KESS_USERNAME: kess.username, KESS_SELLER_CODE: kess.sellerCode, KESS_SIGN_TYPE: kess.signType,
        AHNAJAK_BASE_URL: sims.ahnajak.url, AHNAJAK_PROFILE_ID: "rel-ahnajak",
        PAYWAY_BAKONG_ID: "abaakhppxxx@abaa", PAYWAY_MERCHANT_ID: "125021214532846", PAYWAY_DATA: "0010PAYWAY@ABA0208104514230604A227",
        BAKONG_API_URL: sims.bakong.url, BAKONG_ACCOUNT_ID: "rel_shop@aclb",
        PANEL_TYPE: panelType, PANEL_URL: panel.url,
        DATABASE_URL: `file:${join(dir, "bot.db")}`, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "trace",
      };
      // Production validation (no sandbox flag): every secret variable is set and required.
      const config = loadConfig(env);
      for (const name of SECRET_VARIABLES) expect(env[name], name).toBe(secrets[name]);
      const log = createLogger({
        level: "trace",
        secrets: SECRET_VARIABLES.map((name) => env[name]),
        destination: new Writable({
          write(chunk: Buffer, _enc, done) {
            logChunks.push(chunk.toString("utf8"));
            done();
          },
        }),
      });
      app = await startApplication(config, {
        log,
        timings: { crediterSweepMs: 150, pollerSweepMs: 150, notifierSweepMs: 150, reconcileDelayMs: 300, creditLeaseMs: 5_000, panelReadTimeoutMs: 3_000, panelWriteTimeoutMs: 3_000 },
      });
      lb.setTargets([app.url]);
      sims.raksmeypay.setWebhookUrl(`${lb.url}/webhooks/raksmeypay`);
      sims.kess.setWebhookUrl(`${lb.url}/webhooks/kess`);
      sims.ahnajak.setWebhookUrl(`${lb.url}/webhooks/ahnajak`);
      sims.payway.setWebhookUrl(`${lb.url}/webhooks/payway/${secrets.PAYWAY_WEBHOOK_TOKEN}`);
    }, 120_000);

    afterAll(async () => {
      const steps = [() => app?.stop(), () => lb?.close(), () => panel?.close(), ...Object.values(sims ?? {}).map((s) => () => s.close()), () => sandbox?.close()];
      for (const step of steps) await Promise.resolve().then(step).catch(() => undefined);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    /** Waits for the bot's next message in `chat` (newer than any so far) that matches, after `action`. */
    async function after(chat: number, action: () => unknown, match: string | RegExp | ((m: ChatMessage) => boolean), timeoutMs = 15_000): Promise<ChatMessage> {
      const seen = Math.max(0, ...bot.messagesIn(chat).map((m) => m.message_id));
      const test = typeof match === "function" ? match : (m: ChatMessage) => (typeof match === "string" ? textOf(m).includes(match) : match.test(textOf(m)));
      const waiting = bot.waitFor(chat, (m) => m.message_id > seen && !m.deleted && test(m), timeoutMs);
      action();
      return waiting;
    }
    const say = (text: string, match: Parameters<typeof after>[2], chat = CUSTOMER, from = CUSTOMER) => after(chat, () => bot.sendText(from, text), match);
    const click = (m: ChatMessage, data: string, match: Parameters<typeof after>[2], user = CUSTOMER) => after(m.chat_id, () => bot.clickButton(user, m.message_id, data, { chatId: m.chat_id }), match);
    const latestTopUp = () => app.database.db.topUp.findFirstOrThrow({ where: { chatId: BigInt(CUSTOMER) }, orderBy: { id: "desc" } });

    async function startTopUp(provider: ProviderName) {
      const amount = await say("/topup", "How much");
      const choice = await click(amount, "c:amt:1000", "How would you like to pay?");
      await click(choice, `c:prov:${provider}`, (m) => m.photo !== undefined || textOf(m).includes("Pay in ABA Mobile"));
      return latestTopUp();
    }

    async function payAndWaitForReceipt(provider: ProviderName, topUp: Awaited<ReturnType<typeof latestTopUp>>) {
      const receipt = after(CUSTOMER, () => undefined, (m) => textOf(m).includes(topUp.reference) && /Top-up successful|Late payment credited/.test(textOf(m)), 20_000);
      await sims[provider as keyof typeof sims].pay({ reference: topUp.reference, qr: topUp.qr, checkoutUrl: topUp.checkoutUrl });
      return receipt;
    }

    /** A request to our server through the proxy, so that its answer is kept with the others. */
    const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${lb.url}${path}`, { method: "POST", headers, body });

    it(`a customer links an account and tops up through ${full ? "every provider" : "one provider"}`, async () => {
      await say("/start", "Hello");
      const ask = await say("/link", "username");
      expect(ask).toBeDefined();
      await say("dara", /Linked to/);
      const providers = full ? PROVIDERS : (["bakong"] as const);
      for (const provider of providers) {
        const topUp = await startTopUp(provider);
        expect(topUp.provider).toBe(provider);
        await payAndWaitForReceipt(provider, topUp);
      }
      expect(await app.database.db.topUp.count({ where: { status: "CREDITED" } })).toBe(providers.length);
    });

    if (full) it("a wrong provider key: the customer gets an apology, the poller's failure reaches the admins, nothing leaks", async () => {
      const rightKey = sims.raksmeypay.profile.key;
      // RaksmeyPay refuses our hashes: creating a QR fails...
      sims.raksmeypay.profile.key = `${rightKey}-rotated`;
      const amount = await say("/topup", "How much");
      const choice = await click(amount, "c:amt:500", "How would you like to pay?");
      const apology = await click(choice, "c:prov:raksmeypay", () => true);
      expect(apology.photo).toBeUndefined();
      scanned.failedCalls += 1;
      // ...and so does the poller's verify call for an order created before the key changed.
      sims.raksmeypay.profile.key = rightKey;
      const topUp = await startTopUp("raksmeypay");
      sims.raksmeypay.profile.key = `${rightKey}-rotated`;
      await bot.waitFor(SANDBOX_ADMIN_CHAT, (m) => textOf(m).includes("raksmeypay is failing"), 15_000);
      scanned.failedCalls += 1;
      sims.raksmeypay.profile.key = rightKey;
      await payAndWaitForReceipt("raksmeypay", topUp);
      // KESS: every access token revoked; the adapter logs in again with the client secret and password.
      sims.kess.revokeTokens();
      const kessTopUp = await startTopUp("kess");
      await payAndWaitForReceipt("kess", kessTopUp);
      scanned.failedCalls += 1;
    });

    it("a panel error: the credit is held, the admins are told, an admin re-credits it", async () => {
      panel.setFault("rejectKey", 1);
      const topUp = await startTopUp("payway");
      const held = after(CUSTOMER, () => undefined, "Our team needs to check it", 20_000);
      await sims.payway.pay({ reference: topUp.reference, qr: topUp.qr });
      await held;
      scanned.failedCalls += 1;
      await bot.waitFor(SANDBOX_ADMIN_CHAT, (m) => textOf(m).includes(topUp.reference), 15_000);
      const receipt = after(CUSTOMER, () => undefined, "Top-up successful", 20_000);
      await say(`/recredit ${topUp.reference} panel key fixed`, "queued again", ADMIN, ADMIN);
      await receipt;
      // Cloudflare could not reach the panel (521): retried after a back-off, then applied.
      panel.setFault("statusBefore", 1, [521]);
      const next = await startTopUp(full ? "ahnajak" : "bakong");
      await payAndWaitForReceipt(next.provider as ProviderName, next);
      scanned.failedCalls += 1;
    });

    it("forged and broken requests get error answers", async () => {
      const answers = await Promise.all([
        post("/webhooks/raksmeypay", { "content-type": "application/json", "x-api-key": "wrong" }, "{}"),
        post("/webhooks/raksmeypay", { "content-type": "application/json", "x-api-key": secrets.RAKSMEYPAY_WEBHOOK_API_KEY }, '{"transaction_id":"1","amount":"1.00","currency":"USD","status":"success","profile_id":"rel-profile","bakong_hash":"x","timestamp":1,"hash":"00"}'),
        post("/webhooks/raksmeypay", { "content-type": "application/json", "x-api-key": secrets.RAKSMEYPAY_WEBHOOK_API_KEY }, "not json"),
        post("/webhooks/kess", { "content-type": "application/json" }, '{"out_trade_no":"x","sign_type":"MD5","sign":"0"}'),
        post("/webhooks/kess", { "content-type": "application/json" }, '{"out_trade_no":"99999999999999"}'),
        post("/webhooks/ahnajak", { "content-type": "application/json", "x-ahnajak-signature": "00" }, "{}"),
        post(`/webhooks/payway/${secrets.PAYWAY_WEBHOOK_TOKEN}x`, { "content-type": "application/json" }, "{}"),
        post(`/webhooks/payway/${secrets.PAYWAY_WEBHOOK_TOKEN}`, { "content-type": "application/json" }, '{"tran_id":"1","merchant_ref":"nope","status":"0","original_amount":1,"original_currency":"USD"}'),
        post(`/webhooks/payway/${secrets.PAYWAY_WEBHOOK_TOKEN}`, { "content-type": "text/plain" }, "x"),
        post("/webhooks/bakong", { "content-type": "application/json" }, "{}"),
        post("/webhooks/raksmeypay", { "content-type": "application/json" }, "x".repeat(70 * 1024)),
        post("/telegram", { "content-type": "application/json", "x-telegram-bot-api-secret-token": "wrong" }, "{}"),
        post("/telegram", { "content-type": "application/json" }, '{"update_id":1}'),
        post("/telegram", { "content-type": "application/json", "x-telegram-bot-api-secret-token": secrets.TELEGRAM_WEBHOOK_SECRET }, "not json"),
        fetch(`${lb.url}/nowhere`),
        fetch(`${lb.url}/readyz`),
        fetch(`${lb.url}/metrics`),
      ]);
      for (const a of answers) await a.arrayBuffer();
      expect(answers.filter((a) => a.status >= 400).length).toBeGreaterThanOrEqual(13);
      scanned.failedCalls += answers.filter((a) => a.status >= 400).length;
    });

    it("an admin looks at payments, pending credits and the report, and tries a refund", async () => {
      const last = await latestTopUp();
      await say(`/find ${last.reference}`, last.reference, ADMIN, ADMIN);
      await say("/pending", /./, ADMIN, ADMIN);
      await say("/report 7d", /./, ADMIN, ADMIN);
      await bot.waitFor(ADMIN, (m) => m.document !== undefined, 15_000);
      await bot.waitFor(ADMIN, (m) => m.photo !== undefined, 15_000);
      // A refund goes to the provider (KESS refuses this payment method) and debits the panel.
      const refunded = await app.database.db.topUp.findFirstOrThrow({ where: { provider: full ? "kess" : "bakong", status: "CREDITED" }, orderBy: { id: "desc" } });
      const plan = await say(`/refund ${refunded.reference} secrets test`, refunded.reference, ADMIN, ADMIN);
      const confirm = (plan.reply_markup?.inline_keyboard as Array<Array<{ callback_data?: string }>> | undefined)?.flat().find((b) => b.callback_data?.startsWith("rf:ok:"));
      expect(confirm?.callback_data).toBeDefined();
      await click(plan, confirm!.callback_data!, /./, ADMIN);
    });

    it("no secret in any log line, chat message, file, bot API call, HTTP answer or stored row", async () => {
      await eventually(async () => (await app.database.db.notification.count({ where: { status: { notIn: ["SENT", "FAILED"] } } })) === 0, "notifications delivered", 20_000, 100);
      await bot.flush();
      const haystacks: Haystack[] = [];

      const logs = logChunks.join("");
      haystacks.push({ where: "log", text: logs });
      scanned.logBytes += logs.length;
      scanned.logLines += logs.split("\n").filter(Boolean).length;
      scanned.redactedMarks += logs.split("[REDACTED]").length - 1;

      for (const chat of [CUSTOMER, ADMIN, SANDBOX_ADMIN_CHAT]) {
        for (const m of bot.history(chat)) {
          if (!m.from_bot) continue;
          scanned.messages += 1;
          scanned.fileBytes += (m.photo?.bytes?.length ?? 0) + (m.document?.bytes?.length ?? 0);
          haystacks.push({
            where: `chat ${chat} message ${m.message_id}`,
            text: [m.text, m.caption, json(m.entities), json(m.caption_entities), json(m.reply_markup), bytesText(m.photo?.bytes), bytesText(m.document?.bytes), m.document?.file_name, m.photo?.url, m.document?.url].join("\n"),
          });
        }
        for (const a of bot.callbackAnswers(chat)) haystacks.push({ where: `callback answer in ${chat}`, text: json(a) });
      }
      for (const call of bot.calls()) {
        scanned.botCalls += 1;
        // setWebhook is where the webhook secret is meant to go: to Telegram, once.
        const params = call.method.toLowerCase() === "setwebhook" ? { ...call.params, secret_token: undefined } : call.params;
        haystacks.push({ where: `bot API call ${call.method}`, text: json({ ...call, params }) });
      }

      for (const e of exchanges) {
        scanned.httpAnswers += 1;
        if (e.status >= 400) scanned.httpErrors += 1;
        // Answers only: the requests are what the providers and Telegram sent us (the token is in PayWay's path by design).
        haystacks.push({ where: `HTTP ${e.status} answer to ${e.method} ${e.path.replace(secrets.PAYWAY_WEBHOOK_TOKEN, "<token>")}`, text: e.responseBody.toString("latin1") });
      }

      const tables = await app.database.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`);
      for (const { name } of tables) {
        scanned.tables += 1;
        const rows = await app.database.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
        scanned.rows += rows.length;
        for (const [i, row] of rows.entries()) haystacks.push({ where: `table ${name} row ${i}`, text: json(row) });
      }

      // The search itself works: it finds the secrets where they are meant to be.
      expect(search([{ where: "probe", text: `x${secrets.PANEL_API_KEY}y` }], secrets).length).toBeGreaterThan(0);
      expect(search([{ where: "probe", text: Buffer.from(`Bearer ${secrets.BAKONG_TOKEN}`).toString("base64") }], secrets).length).toBeGreaterThan(0);

      const hits = search(haystacks, secrets);
      scanned.hits += hits.length;
      scanned.runs += 1;
      expect(hits.map((h) => `${h.secret} in ${h.where} (as ${h.needle}): …${h.context}…`)).toEqual([]);
      expect(scanned.messages).toBeGreaterThan(15);
      expect(logs.length).toBeGreaterThan(10_000);
    });
  });
}

describe("merchant secrets stored by the CLI stay secret", { timeout: 300_000 }, () => {
  // Every merchant secret variable with a distinctive value; the process-wide ones are not a merchant's.
  const secrets = Object.fromEntries(Object.entries(secretValues()).filter(([name]) => !PROCESS_VARIABLES.includes(name))) as Record<SecretName, string>;
  const runs: { args: string; run: CliRun }[] = [];
  let dir: string;

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("no merchant secret in the CLI's output or log lines (trace level), nor in any stored row", async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-merchant-secrets-"));
    const telegram = await createFakeTelegram();
    try {
      telegram.bot(secrets.BOT_TOKEN, { username: "merchant_secrets_bot" });
      const url = `file:${join(dir, "platform.db")}`;
      await (await openDatabase(url)).close();
      // Nothing listens on port 9: the checks fail, and their failures are searched too.
      const nowhere = "http://127.0.0.1:9";
      const merchant: Record<string, string> = {
        ...secrets,
        ADMIN_IDS: "7", MERCHANT_NAME: "Secret Shop", PAYMENT_PROVIDERS: PROVIDERS.join(","), PANEL_URL: nowhere,
        RAKSMEYPAY_BASE_URL: nowhere, RAKSMEYPAY_PROFILE_ID: "rel-profile",
        KESS_BASE_URL: nowhere, KESS_CLIENT_ID: "rel-client", KESS_USERNAME: "rel-user", KESS_SELLER_CODE: "rel-seller",
        AHNAJAK_BASE_URL: nowhere, AHNAJAK_PROFILE_ID: "rel-ahnajak",
        PAYWAY_BAKONG_ID: "abaakhppxxx@abaa", PAYWAY_MERCHANT_ID: "125021214532846", PAYWAY_DATA: "0010PAYWAY@ABA0208104514230604A227",
        BAKONG_API_URL: nowhere, BAKONG_ACCOUNT_ID: "rel_shop@aclb",
      };
      const file = join(dir, "merchant.env");
      writeFileSync(file, Object.entries(merchant).map(([k, v]) => `${k}=${v}`).join("\n"));
      const env = {
        DOTENV_CONFIG_PATH: join(dir, "absent.env"), DATABASE_URL: url, LOG_LEVEL: "trace", PUBLIC_URL: "http://127.0.0.1:9",
        MASTER_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_ROOT: telegram.url,
      };
      const cli = async (args: string[], extra: Record<string, string> = {}) => {
        const run = await runCli(args, { ...env, ...extra });
        runs.push({ args: args.join(" "), run });
        return run;
      };
      expect((await cli(["merchant", "add", "secret-shop", "--env-file", file])).code).toBe(0);
      expect((await cli(["merchant", "update", "secret-shop", "--env-file", file])).code).toBe(0);
      expect((await cli(["merchant", "list", "--json"])).code).toBe(0);
      expect((await cli(["merchant", "check", "secret-shop"])).code).toBe(1);
      // A refused file (half a provider) and a wrong key: their messages are searched too.
      writeFileSync(join(dir, "half.env"), `BOT_TOKEN=${secrets.BOT_TOKEN}\nPANEL_API_KEY=${secrets.PANEL_API_KEY}\nKESS_PASSWORD=${secrets.KESS_PASSWORD}\n`);
      expect((await cli(["merchant", "add", "half-shop", "--env-file", join(dir, "half.env")])).code).toBe(2);
      expect((await cli(["merchant", "list"], { MASTER_KEY: randomBytes(32).toString("base64") })).code).toBe(2);
      expect((await cli(["rotate-master-key"], { NEW_MASTER_KEY: randomBytes(32).toString("base64") })).code).toBe(0);
      const haystacks: Haystack[] = [];
      haystacks.push(...(await storedRows(url)));
      expect(haystacks.some((h) => h.where.includes("merchant_settings") && h.text.includes("KESS_PASSWORD"))).toBe(true);
      haystacks.push(...runs.map(({ args, run }) => ({ where: `cli ${args}`, text: `${run.stdout}\n${run.stderr}` })));
      for (const call of telegram.bots().flatMap((b) => b.calls())) {
        // setWebhook is where the webhook secret_token is meant to go: to Telegram.
        haystacks.push({ where: `bot API call ${call.method}`, text: json({ ...call, params: { ...call.params, secret_token: undefined } }) });
      }
      expect(runs.find((r) => r.args.startsWith("merchant check"))!.run.stdout).toContain("✗");
      expect(runs.some((r) => r.run.stderr.length > 0)).toBe(true);
      const hits = search(haystacks, secrets);
      scanned.hits += hits.length;
      expect(hits.map((h) => `${h.secret} in ${h.where} (as ${h.needle}): …${h.context}…`)).toEqual([]);
    } finally {
      await telegram.close();
    }
  });
});

describe("a running platform masks its stored merchants' secrets", { timeout: 120_000 }, () => {
  // Merchant B's secrets: stored by the CLI, opened by the platform when it serves B, never in its environment.
  const secrets = secretValues();
  const merchantSecrets = { BOT_TOKEN: secrets.BOT_TOKEN, PANEL_API_KEY: secrets.PANEL_API_KEY, KESS_CLIENT_SECRET: secrets.KESS_CLIENT_SECRET, KESS_PASSWORD: secrets.KESS_PASSWORD, KESS_API_SECRET: secrets.KESS_API_SECRET } as Record<SecretName, string>;
  const logChunks: string[] = [];
  const CUSTOMER_B = 720_000_001;
  let dir: string;
  let sandbox: Sandbox;
  let kess: KessSimulator;
  let echoing: { url: string; close(): Promise<void> };
  let app: Application;

  afterAll(async () => {
    for (const step of [() => app?.stop(), () => kess?.close(), () => echoing?.close(), () => sandbox?.close()]) await Promise.resolve().then(step).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("no secret of merchant B in the log (trace level) while B's panel fails and B's webhooks are forged, nor in /metrics", async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-platform-secrets-"));
    sandbox = await startSandbox({ providers: ["raksmeypay"] });
    kess = await startKessSimulator({ clientSecret: secrets.KESS_CLIENT_SECRET, password: secrets.KESS_PASSWORD, apiSecret: secrets.KESS_API_SECRET });
    // B's panel is a proxy error page quoting every request, key and all (SocPanel sends the key in the URL).
    echoing = await serveApp(new Hono().all("*", (c) => c.html(`<h1>502 Bad Gateway</h1><p>upstream failed for ${c.req.url}</p>`, 502)));
    const botB = sandbox.telegram.bot(secrets.BOT_TOKEN, { username: "platform_secrets_bot" });
    botB.addUser({ id: CUSTOMER_B, first_name: "Bopha", language_code: "en" });
    const port = await freePort();
    const masterKey = randomBytes(32).toString("base64");
    const processEnv: Record<string, string> = {
      ...sandbox.env, BOT_MODE: "webhook", PUBLIC_URL: `http://127.0.0.1:${port}`, TELEGRAM_WEBHOOK_SECRET: "shop-a-webhook-secret",
      HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port), LOG_LEVEL: "trace", MASTER_KEY: masterKey, DATABASE_URL: `file:${join(dir, "platform.db")}`,
    };
    const config = loadConfig(processEnv);
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logChunks.push(chunk.toString("utf8")); done(); } });
    const log = createLogger({ level: "trace", secrets: SECRET_VARIABLES.map((name) => processEnv[name]), destination: sink });
    app = await startApplication(config, { log, timings: { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, panelReadTimeoutMs: 2_000, panelWriteTimeoutMs: 2_000 }, platform: { masterKey: readMasterKey(processEnv), processEnv } });
    sandbox.connect(app.url);

    const c = kess.config();
    const file = join(dir, "shop-b.env");
    writeFileSync(file, [
      `BOT_TOKEN=${secrets.BOT_TOKEN}`, `ADMIN_IDS=${CUSTOMER_B + 1}`, "MERCHANT_NAME=Shop B", "TOPUP_CURRENCY=USD",
      "PANEL_TYPE=socpanel", `PANEL_URL=${echoing.url}`, `PANEL_API_KEY=${secrets.PANEL_API_KEY}`, "PANEL_PAYMENT_METHOD=KHQR",
      "PAYMENT_PROVIDERS=kess", `KESS_BASE_URL=${kess.url}`, `KESS_CLIENT_ID=${c.clientId}`, `KESS_CLIENT_SECRET=${secrets.KESS_CLIENT_SECRET}`, `KESS_USERNAME=${c.username}`,
      `KESS_PASSWORD=${secrets.KESS_PASSWORD}`, `KESS_SELLER_CODE=${c.sellerCode}`, `KESS_API_SECRET=${secrets.KESS_API_SECRET}`, `KESS_SIGN_TYPE=${c.signType}`,
    ].join("\n"));
    const cliEnv = { DATABASE_URL: processEnv.DATABASE_URL!, MASTER_KEY: masterKey, PUBLIC_URL: processEnv.PUBLIC_URL!, TELEGRAM_API_ROOT: sandbox.env.TELEGRAM_API_ROOT! };
    expect((await merchantCli(config, cliEnv, ["add", "shop-b", "--env-file", file])).code).toBe(0);
    const routeKey = await routeKeyOf(config, cliEnv, "shop-b");
    await eventually(async () => app.merchants.byRouteKey(routeKey) !== undefined, "merchant B served");

    // B's customer links an account: B's panel answers with an error page quoting the request, key and all.
    botB.sendText(CUSTOMER_B, "/link");
    await botB.waitFor(CUSTOMER_B, (m) => (m.text ?? "").includes("username"), 15_000);
    botB.sendText(CUSTOMER_B, "bopha");
    await botB.waitFor(CUSTOMER_B, (m) => m.message_id > 2, 15_000);
    // Whatever code path might someday quote one of B's secrets, the running platform's log masks it, children too.
    app.log.warn({ detail: `panel said: invalid token ${secrets.PANEL_API_KEY}` }, "a line quoting B's panel key");
    app.log.child({ worker: "crediter" }).error({ err: new Error(`KESS refused client_secret=${secrets.KESS_CLIENT_SECRET} password=${encodeURIComponent(secrets.KESS_PASSWORD)}`) }, "a line quoting B's KESS secrets");
    app.log.info({ url: `https://api.telegram.org/bot${secrets.BOT_TOKEN}/getMe`, raw: JSON.stringify({ api_secret: secrets.KESS_API_SECRET }) }, "a line quoting B's token");
    // Updated with a new panel key while running: the new key is masked once B is served again.
    const rotated = `rel-panel-key-rotated-${randomBytes(12).toString("hex")}`;
    writeFileSync(file, readFileSync(file, "utf8").replace(secrets.PANEL_API_KEY, rotated));
    const servedBefore = app.merchants.byRouteKey(routeKey);
    expect((await merchantCli(config, cliEnv, ["update", "shop-b", "--env-file", file])).code).toBe(0);
    await eventually(async () => app.merchants.byRouteKey(routeKey) !== servedBefore, "merchant B served again");
    app.log.warn({ detail: `panel said: invalid token ${rotated}` }, "a line quoting B's new panel key");
    // A paid top-up of B: the crediting thread (SQLite file) credits it on B's quoting panel and logs what it saw.
    const merchantB = app.merchants.byRouteKey(routeKey)!;
    const telegramId = BigInt(CUSTOMER_B);
    const userB = await app.database.db.user.upsert({
      where: { merchantId_telegramId: { merchantId: merchantB.id, telegramId } }, create: { merchantId: merchantB.id, telegramId, panelLogin: "bopha", language: "en" }, update: { panelLogin: "bopha" },
    });
    const started = await merchantB.topUps.start({ userId: userB.id, chatId: telegramId, amountMinor: 500, provider: "kess" });
    if (!started.ok) throw new Error(`B's top-up not started: ${started.reason}`);
    await kess.pay({ reference: started.topUp.reference });
    await eventually(async () => logChunks.some((l) => l.includes('"thread":"crediting"') && l.includes('"creditId"')), "the crediting thread's lines about B's credit");
    // Forged KESS webhooks at B's address, signed with nothing and with the wrong secret.
    for (const body of ['{"out_trade_no":"x","sign_type":"MD5","sign":"0"}', "not json"]) {
      await (await fetch(`${app.url}/webhooks/kess/${routeKey}`, { method: "POST", headers: { "content-type": "application/json" }, body })).arrayBuffer();
    }
    const metrics = await (await fetch(`${app.url}/metrics`)).text();

    const logs = logChunks.join("");
    expect(logs).toContain("[REDACTED]");
    expect(logs).toContain("panel said: invalid token [REDACTED]");
    expect(logs).not.toContain(rotated);
    const hits = search([{ where: "log", text: logs }, { where: "metrics", text: metrics }], merchantSecrets);
    scanned.hits += hits.length;
    expect(hits.map((h) => `${h.secret} in ${h.where} (as ${h.needle}): …${h.context}…`)).toEqual([]);
  });
});

describe("the operators' bot keeps the secrets of a shop opened by chat", { timeout: 180_000 }, () => {
  const core = () => randomBytes(12).toString("hex");
  // Every secret of the run: the platform's own, and those the owner types in /newshop (a BotFather-shaped token each).
  const secrets = {
    PLATFORM_BOT_TOKEN: `${randomInt(1_000_000_000, 9_999_999_999)}:RELops-tok-${core()}`,
    MASTER_KEY: randomBytes(32).toString("base64"),
    BOT_TOKEN: `${randomInt(1_000_000_000, 9_999_999_999)}:RELshop-tk-${core()}`,
    PANEL_API_KEY: `rel-onboard-panel-key-${core()}`,
    KESS_CLIENT_SECRET: `rel-onboard-kess-client-secret-${core()}`,
    KESS_PASSWORD: `rel-onboard-kess-password-${core()}`,
    KESS_API_SECRET: `rel-onboard-kess-api-secret-${core()}`,
  };
  const OPERATOR = 740_000_010;
  const OWNER = 740_000_020;
  const logChunks: string[] = [];
  const exchanges: ProxiedExchange[] = [];
  let dir: string;
  let telegram: FakeTelegram;
  let kess: KessSimulator;
  let panel: PanelSimulator;
  let lb: LoadBalancer;
  let app: Application<ProcessConfig>;

  afterAll(async () => {
    for (const step of [() => app?.stop(), () => lb?.close(), () => kess?.close(), () => panel?.close(), () => telegram?.close()]) await Promise.resolve().then(step).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("no secret in any log line (trace level), message, bot API call, HTTP answer or row after /newshop, approval, /myshop and the test payment", async () => {
    dir = mkdtempSync(join(tmpdir(), "khqr-onboarding-secrets-"));
    telegram = await createFakeTelegram();
    kess = await startKessSimulator({ clientSecret: secrets.KESS_CLIENT_SECRET, password: secrets.KESS_PASSWORD, apiSecret: secrets.KESS_API_SECRET });
    panel = await startPerfectPanelSimulator({ apiKey: secrets.PANEL_API_KEY, users: { dara: 0 }, currency: "USD" });
    const ops = telegram.bot(secrets.PLATFORM_BOT_TOKEN, { username: "secrets_ops_bot", first_name: "Platform" });
    ops.addUser({ id: OPERATOR, first_name: "Operator", language_code: "en" });
    ops.addUser({ id: OWNER, first_name: "Sokha", language_code: "en" });
    const shop = telegram.bot(secrets.BOT_TOKEN, { username: "secrets_shop_bot", first_name: "Secrets Shop" });
    shop.addUser({ id: OWNER, first_name: "Sokha", language_code: "en" });
    // Every request to our server, Telegram's updates and KESS's notifications among them, goes through this proxy.
    lb = await startLoadBalancer({ onExchange: (e) => exchanges.push(e) });
    const url = `file:${join(dir, "platform.db")}`;
    const processEnv: Record<string, string> = {
      DATABASE_URL: url, BOT_MODE: "webhook", PUBLIC_URL: lb.url, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "trace",
      MASTER_KEY: secrets.MASTER_KEY, TELEGRAM_API_ROOT: telegram.url, PLATFORM_BOT_TOKEN: secrets.PLATFORM_BOT_TOKEN, PLATFORM_ADMIN_IDS: String(OPERATOR),
    };
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logChunks.push(chunk.toString("utf8")); done(); } });
    // The logger main.ts makes: it masks the process's secret variables; the new shop's are the platform's to mask.
    const log = createLogger({ level: "trace", secrets: [...SECRET_VARIABLES, ...PLATFORM_SECRET_VARIABLES].map((name) => processEnv[name]), destination: sink });
    const settings = readPlatformSettings(processEnv);
    app = await startApplication(loadProcessConfig(processEnv), {
      log, timings: { crediterSweepMs: 200, pollerSweepMs: 200, notifierSweepMs: 200, reconcileDelayMs: 300 },
      platform: { masterKey: settings.masterKey, processEnv, operatorBot: readOperatorBot(processEnv, settings)! },
    });
    lb.setTargets([app.url]);
    await eventually(async () => ops.webhookInfo().url === `${lb.url}/platform/telegram`, "the operators' bot's webhook");

    const reply = (bot: BotDriver, chat: number, action: () => unknown, match: Parameters<typeof nextMessage>[2]) => {
      const waiting = nextMessage(bot, chat, match, 20_000);
      action();
      return waiting;
    };
    const say = (who: number, text: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, who, () => ops.sendText(who, text), match);
    const press = (who: number, m: ChatMessage, data: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, who, () => ops.clickButton(who, m.message_id, data), match);
    const secretMessages: number[] = [];
    const saySecret = (text: string, match: Parameters<typeof nextMessage>[2]) => reply(ops, OWNER, () => secretMessages.push(ops.sendText(OWNER, text).message!.message_id), match);

    await say(OPERATOR, "/start", "Commands");
    await say(OWNER, "/newshop", "Step 1");
    const type = await saySecret(secrets.BOT_TOKEN, "Step 2");
    await press(OWNER, type, "ob:panel_type:perfectpanel", "Step 3");
    await say(OWNER, panel.url, "Step 4");
    // A refused key is deleted and searched for too.
    const refusedKey = `rel-onboard-refused-key-${core()}`;
    await saySecret(refusedKey, "Step 4");
    await saySecret(secrets.PANEL_API_KEY, "Step 5");
    const providers = await say(OWNER, "-", "Step 6");
    await press(OWNER, providers, "ob:providers:kess", "Step 7");
    const c = kess.config();
    await saySecret([c.clientId, c.clientSecret, c.username, c.password, c.sellerCode, c.apiSecret, c.signType, `KESS_BASE_URL=${kess.url}`].join("\n"), "Step 8");
    await say(OWNER, "-", "Step 9");
    const summary = await say(OWNER, "Secrets SMM", "Please check your shop");
    const asked = nextMessage(ops, OPERATOR, "awaits approval", 20_000);
    await press(OWNER, summary, "ob:confirm:submit", "is submitted");
    const told = nextMessage(ops, OWNER, "approved and live", 20_000);
    await press(OPERATOR, await asked, "ap:en:secrets_shop_bot", "is approved");
    await told;
    await eventually(async () => app.merchants.all().length === 1, "the new shop served");
    const offered = nextMessage(ops, OWNER, "To verify your shop", 20_000);
    await say(OWNER, "/myshop", "Your shop");
    await offered;

    // The first test payment, offered by both messages, through the new shop's bot and its KESS.
    await reply(shop, OWNER, () => shop.sendText(OWNER, `/start ${TEST_PAYMENT_START}`), "username (login)");
    const card = await reply(shop, OWNER, () => shop.sendText(OWNER, "dara"), (m) => m.photo !== undefined);
    const topUp = await eventually(() => app.database.db.topUp.findFirst({ where: { chatId: BigInt(OWNER), messageId: card.message_id } }), "the card's top-up");
    await reply(shop, OWNER, () => void kess.pay({ reference: topUp.reference }), "each step's time");
    expect(panel.balanceOf("dara")).toBe(1);
    await eventually(async () => (await app.database.db.notification.count({ where: { status: { notIn: ["SENT", "FAILED"] } } })) === 0, "notifications delivered", 20_000, 100);

    // Every message that carried a secret was deleted by the bot.
    expect(secretMessages).toHaveLength(4);
    const deleted = ops.calls("deleteMessage").filter((call) => call.status === 200 && Number(call.params.chat_id) === OWNER).map((call) => Number(call.params.message_id));
    expect(deleted).toEqual(expect.arrayContaining(secretMessages));

    const haystacks: Haystack[] = [{ where: "log", text: logChunks.join("") }];
    for (const [name, bot] of [["operators' bot", ops], ["shop's bot", shop]] as const) {
      for (const chat of [OPERATOR, OWNER]) {
        // What is left in the chat: every bot message and every owner's message not deleted.
        for (const m of bot.history(chat).filter((x) => x.from_bot || !x.deleted)) {
          haystacks.push({ where: `${name} chat ${chat} message ${m.message_id}`, text: [m.text, m.caption, json(m.entities), json(m.reply_markup), bytesText(m.photo?.bytes)].join("\n") });
        }
        for (const a of bot.callbackAnswers(chat)) haystacks.push({ where: `${name} callback answer in ${chat}`, text: json(a) });
      }
      // setWebhook is where each bot's webhook secret is meant to go: to Telegram.
      for (const call of bot.calls()) haystacks.push({ where: `${name} API call ${call.method}`, text: json({ ...call, params: { ...call.params, secret_token: undefined } }) });
    }
    for (const e of exchanges) haystacks.push({ where: `HTTP ${e.status} answer to ${e.method} ${e.path}`, text: e.responseBody.toString("latin1") });
    // The shop's settings are sealed there by design; every other row (the drafts in the bot's sessions too) is searched.
    haystacks.push(...(await storedRows(url, ["merchant_settings"])));

    expect(haystacks.filter((h) => h.where.startsWith("stored")).length).toBeGreaterThan(10);
    expect(exchanges.length).toBeGreaterThan(10);
    expect(logChunks.length).toBeGreaterThan(30);
    const hits = search(haystacks, { ...secrets, REFUSED_PANEL_KEY: refusedKey });
    scanned.hits += hits.length;
    expect(hits.map((h) => `${h.secret} in ${h.where} (as ${h.needle}): …${h.context}…`)).toEqual([]);
  });
});
