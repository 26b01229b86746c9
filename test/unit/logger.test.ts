import { Api } from "grammy";
import { Hono } from "hono";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET_VARIABLES } from "../../src/config/config.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { PanelError, type PanelClient } from "../../src/panel/panel-client.js";
import { serveApp, type RunningServer } from "../../sandbox/serve.js";

/** A distinctive value for every secret variable; each carries the marker, so any fragment of one is caught too. */
const MARKER = "SeCrEt";
const SECRETS: Record<(typeof SECRET_VARIABLES)[number], string> = {
  BOT_TOKEN: `7012345678:AAF-${MARKER}-bot-token-01`,
  TELEGRAM_WEBHOOK_SECRET: `webhook_${MARKER}_02`,
  RAKSMEYPAY_PROFILE_KEY: `rp-profile-${MARKER}-03`,
  RAKSMEYPAY_WEBHOOK_API_KEY: `rp-webhook-${MARKER}-04`,
  KESS_CLIENT_SECRET: `kess-client-${MARKER}-05`,
  KESS_PASSWORD: `kess-pass-${MARKER}-06`,
  KESS_API_SECRET: `kess-api-${MARKER}-07`,
  AHNAJAK_SECRET_KEY: `ahnajak-${MARKER}-08`,
  PAYWAY_WEBHOOK_TOKEN: `payway-token-${MARKER}-09`,
  BAKONG_TOKEN: `eyJhbGciOiJIUzI1NiJ9.bakong-${MARKER}-10`,
  PANEL_API_KEY: `sk-panel-${MARKER}-11`,
  METRICS_TOKEN: `metrics-token-${MARKER}-12`,
};
const ALL_SECRETS = Object.values(SECRETS);

/** A logger built as src/main.ts builds it, writing into memory. */
function memoryLogger(): { log: Logger; output(): Promise<string> } {
  let text = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const log = createLogger({ level: "debug", secrets: SECRET_VARIABLES.map((name) => SECRETS[name]), destination });
  return { log, output: () => new Promise((r) => setImmediate(() => r(text))) };
}

function expectNoSecret(text: string): void {
  for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toContain(MARKER);
}

/** A panel that fails with an error page quoting the request, key and all, as some proxies do. */
async function startEchoingFailure(): Promise<RunningServer> {
  const app = new Hono();
  app.all("*", (c) => c.html(`<h1>502 Bad Gateway</h1><p>upstream failed for ${c.req.url}</p>`, 502));
  return serveApp(app);
}

async function closedPortUrl(): Promise<string> {
  const server = await serveApp(new Hono());
  await server.close();
  return server.url;
}

function socPanel(url: string, log?: Logger): PanelClient {
  return createPanelClient({ type: "socpanel", url, apiKey: SECRETS.PANEL_API_KEY, paymentMethod: "KHQR", currency: "USD" }, { log, timeouts: { readMs: 2_000, writeMs: 2_000 } });
}

async function panelErrorOf(call: Promise<unknown>): Promise<PanelError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PanelError);
  return err as PanelError;
}

describe("secrets never reach the logs", () => {
  let closedUrl: string;
  let echoing: RunningServer;

  beforeAll(async () => {
    closedUrl = await closedPortUrl();
    echoing = await startEchoingFailure();
  });
  afterAll(async () => {
    await echoing?.close();
  });

  it("masks them under secret keys, inside URLs, error messages and nested raw payloads", async () => {
    const { log, output } = memoryLogger();
    log.info({ headers: { authorization: `Bearer ${SECRETS.BAKONG_TOKEN}`, "x-api-key": SECRETS.PANEL_API_KEY, accept: "application/json" } }, "outbound headers");
    log.info({ password: SECRETS.KESS_PASSWORD, token: SECRETS.PAYWAY_WEBHOOK_TOKEN, body: { client_secret: SECRETS.KESS_CLIENT_SECRET, grant_type: "password" } }, "kess login");
    log.info({ url: `${closedUrl}/privateApi/incrementUserBalance?${new URLSearchParams({ token: SECRETS.PANEL_API_KEY, login: "alice", amount: "10.00" })}` }, "socpanel url");
    log.info({ url: `https://api.telegram.org/bot${SECRETS.BOT_TOKEN}/sendMessage` }, "telegram url");
    log.error({ err: new Error(`KESS refused: client_secret=${SECRETS.KESS_CLIENT_SECRET} api_secret=${SECRETS.KESS_API_SECRET}`) }, "provider error");
    log.warn(
      {
        provider: "raksmeypay",
        raw: { data: { profile: { key: SECRETS.RAKSMEYPAY_PROFILE_KEY, nested: [{ apiKey: SECRETS.RAKSMEYPAY_WEBHOOK_API_KEY }] } } },
        echoed: JSON.stringify({ signature_key: SECRETS.AHNAJAK_SECRET_KEY, webhook: SECRETS.TELEGRAM_WEBHOOK_SECRET }),
      },
      "unexpected provider answer",
    );
    log.child({ worker: "crediter" }).warn({ detail: `panel said: invalid token ${SECRETS.PANEL_API_KEY}` }, "credit held");

    const text = await output();
    expectNoSecret(text);
    for (const context of ["outbound headers", "application/json", "grant_type", "login=alice", "amount=10.00", "/bot[REDACTED]/sendMessage", "KESS refused: client_secret=[REDACTED]", '"provider":"raksmeypay"', '"worker":"crediter"', "panel said: invalid token [REDACTED]"]) {
      expect(text).toContain(context);
    }
  });

  it("masks them in the errors of real failing calls to the panel and to Telegram", async () => {
    const { log, output } = memoryLogger();
    // The transport logs the failure at debug; the caller logs the PanelError, cause included.
    const unreachable = await panelErrorOf(socPanel(closedUrl, log).credit("alice", 1000, "KHQR memo"));
    log.error({ err: unreachable, creditId: 1 }, "credit failed");
    const echoed = await panelErrorOf(socPanel(echoing.url, log).credit("alice", 1000, "KHQR memo"));
    log.error({ err: echoed, raw: echoed.opts.raw, creditId: 2 }, "credit failed");
    const telegram = await new Api(SECRETS.BOT_TOKEN, { apiRoot: closedUrl }).getMe().then(() => undefined, (e: unknown) => e);
    log.error({ err: telegram }, "telegram call failed");

    const text = await output();
    expectNoSecret(text);
    for (const context of ["panel call failed", "incrementUserBalance", "ECONNREFUSED", "panel answered HTTP 502", "upstream failed for", "login=alice", "getMe", "/bot[REDACTED]/getMe"]) {
      expect(text).toContain(context);
    }
  });

  it("a SocPanel PanelError carries no API key, in its message or anywhere in it", async () => {
    for (const url of [closedUrl, echoing.url]) {
      const err = await panelErrorOf(socPanel(url).credit("alice", 1000, "KHQR memo"));
      expect(err.message).toMatch(/incrementUserBalance/);
      const everything = inspect(err, { depth: 10 });
      expect(everything).not.toContain(SECRETS.PANEL_API_KEY);
      expect(everything).not.toContain(MARKER);
    }
  });
});

describe("redaction beyond configured values", () => {
  it("masks secret keys at the top level and secrets in their URL-encoded and JSON-escaped forms", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const secret = 'sk/live+X=:"q"';
    const log = createLogger({ level: "info", secrets: [secret], destination: sink });
    log.info({ password: "runtime-pass", token: "runtime-token", refresh_token: "runtime-refresh", url: `https://panel.example/api?token=${encodeURIComponent(secret)}`, raw: JSON.stringify({ key: secret }) }, "call");
    await new Promise((r) => setImmediate(r));
    const out = lines.join("");
    for (const leaked of ["runtime-pass", "runtime-token", "runtime-refresh", secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) expect(out).not.toContain(leaked);
    expect(out).toContain("https://panel.example/api?token=[REDACTED]");
  });
});
