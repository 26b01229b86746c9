import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Config } from "../../config/config.js";
import { send } from "../../http/outbound.js";
import { fail, note, pass, warn, type CheckResult } from "./check-result.js";
import { messageOf, type CheckDeps } from "./check-deps.js";

const NAME = "PUBLIC_URL";
/** Under /webhooks/ because that is what a reverse proxy forwards (README, Caddyfile). */
export const SELF_CHECK_PREFIX = "/webhooks/self-check/";
const NONCE = /^[0-9a-f]{32}$/;

/**
 * The answer to a one-time token: an HMAC under a key derived from BOT_TOKEN, so only a process with this
 * configuration can give it, and the key proves nothing beyond this check.
 */
export function selfCheckAnswer(botToken: string, nonce: string): string | undefined {
  if (!NONCE.test(nonce)) return undefined;
  const key = createHmac("sha256", botToken).update("khqr-self-check").digest();
  return createHmac("sha256", key).update(nonce).digest("hex");
}

/**
 * A request to this program through PUBLIC_URL with a one-time token. "running": this process serves the
 * answer (start-up). "listen": serve it on HTTP_HOST:HTTP_PORT for the length of the check, or, when the
 * port is taken (the bot is running), count on the bot answering it.
 */
export async function checkPublicUrl(config: Config, deps: CheckDeps & { mode: "listen" | "running" }): Promise<CheckResult[]> {
  const publicUrl = config.bot.publicUrl;
  if (publicUrl === undefined) {
    return [note(NAME, "not set: nothing to test. Providers post webhooks to your public https address: set PUBLIC_URL to it (required for Ahnajak and PayWay, which have no other way to tell the bot)")];
  }
  const server = deps.mode === "listen" ? await listenForCheck(config) : undefined;
  try {
    return [await askThroughPublicUrl(config, publicUrl, deps)];
  } finally {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  }
}

async function askThroughPublicUrl(config: Config, publicUrl: string, deps: CheckDeps): Promise<CheckResult> {
  const nonce = randomBytes(16).toString("hex");
  const address = `${publicUrl}${SELF_CHECK_PREFIX}`;
  let status: number;
  let text: string;
  try {
    const res = await send(`${address}${nonce}`, { method: "GET", timeoutMs: deps.timeoutMs });
    status = res.status;
    text = res.text.trim();
  } catch (err) {
    return fail(NAME, `${address}… cannot be reached from this machine (${messageOf(err)})`, `point ${new URL(publicUrl).hostname}'s DNS at this server, open ports 80 and 443, and run the reverse proxy (Caddy) forwarding /webhooks/* to the bot`);
  }
  if (status !== 200 || text !== selfCheckAnswer(config.bot.token, nonce)) {
    return fail(NAME, `${address}… answered HTTP ${status}, but not as this bot`, "the reverse proxy must forward /webhooks/* and /telegram to this bot's HTTP_PORT (see Caddyfile); or another program answers there");
  }
  if (!publicUrl.startsWith("https://")) return warn(NAME, `${publicUrl} reaches this bot, over plain http`, "put the bot behind HTTPS (compose.yaml's Caddy does it) and set PUBLIC_URL to https://…");
  return pass(NAME, `${publicUrl} reaches this bot (a one-time token sent to ${address}… was answered)`);
}

/** Serves the answer on HTTP_HOST:HTTP_PORT; undefined when the port is taken (the bot answers) or cannot be bound. */
function listenForCheck(config: Config): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    const nonce = req.url?.startsWith(SELF_CHECK_PREFIX) ? req.url.slice(SELF_CHECK_PREFIX.length) : "";
    const answer = selfCheckAnswer(config.bot.token, nonce);
    res.writeHead(answer ? 200 : 404, { "content-type": "text/plain", connection: "close" }).end(answer ?? "not found");
  });
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(config.runtime.httpPort, config.runtime.httpHost, () => resolve(server));
  });
}
