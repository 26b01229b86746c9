import { readFile } from "node:fs/promises";
import { Hono, type Context } from "hono";
import type { ProviderName } from "../../src/config/config.js";
import { CURRENCIES, formatMoney, parseAmount, type Currency } from "../../src/money/money.js";
import type { ProviderSimulator } from "../provider-simulator.js";
import { SANDBOX_ADMIN, SANDBOX_ADMIN_CHAT, SANDBOX_CUSTOMER, type Sandbox } from "../start-sandbox.js";
import { chatMessages } from "./messages.js";

/** An open (unpaid) top-up as the bank pane lists it. A TopUp row from the database fits. */
export interface OpenTopUp {
  /** The number in the card's button data (tu:check:<id>): how the page finds the top-up of a card. */
  id?: number;
  reference: string;
  provider: string;
  qr: string | null;
  checkoutUrl: string | null;
  amountMinor: number;
  currency: string;
  panelLogin?: string;
  expiresAt?: Date | string;
}

export interface SandboxPageDeps {
  /** Top-ups waiting for payment (status PENDING). Without it the bank pane has nothing to pay. */
  openTopUps?(): Promise<OpenTopUp[]>;
  /** The simulated panel's currency (the sandbox panel keeps USD). */
  panelCurrency?: Currency;
}

/** Chats the page shows: the customer's and the admin's private chats and the admin group. */
const CHATS = {
  customer: { chatId: SANDBOX_CUSTOMER.id, userId: SANDBOX_CUSTOMER.id },
  admin: { chatId: SANDBOX_ADMIN.id, userId: SANDBOX_ADMIN.id },
  group: { chatId: SANDBOX_ADMIN_CHAT, userId: SANDBOX_ADMIN.id },
} as const;
type ChatName = keyof typeof CHATS;

/** Longest a long poll for events is held: short, so it never holds up a shutdown for long. */
const MAX_POLL_SECONDS = 5;
const MAX_TEXT = 4096;

const JS = "text/javascript; charset=utf-8";
const STATIC: Record<string, string> = { "page.js": JS, "chat.js": JS, "dom.js": JS, "page.css": "text/css; charset=utf-8" };
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

class PageError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

const asset = (name: string) => readFile(new URL(`./${name}`, import.meta.url), "utf8");

/** Mounts GET /sandbox (the try-it page) and its JSON API under /sandbox/api, talking to the sandbox in-process. */
export function sandboxPage(app: Hono, sandbox: Sandbox, deps: SandboxPageDeps = {}): void {
  const driver = sandbox.bot;
  const topUpCurrency = asCurrency(sandbox.env.TOPUP_CURRENCY);
  const panelCurrency = deps.panelCurrency ?? "USD";
  const chatOf = (c: Context) => {
    const name = c.req.param("chat") ?? "";
    if (!Object.hasOwn(CHATS, name)) throw new PageError(404, `unknown chat "${name}"`);
    return { name: name as ChatName, ...CHATS[name as ChatName] };
  };
  const openTopUps = async () => (deps.openTopUps ? await deps.openTopUps() : []);
  /** What the bank pane paid, newest first, so the page can show it after a reload. */
  const paidHere: Array<{ reference: string; provider: string; amount: string; asked: string; at: string; providerTxnId: string }> = [];
  /** What the bank pane paid, by reference, so that it can pay the same QR again (only those in paidHere). */
  const paidOrders = new Map<string, OpenTopUp>();

  const headers = (type: string) => ({ "content-type": type, "cache-control": "no-store", "content-security-policy": CSP });
  app.get("/sandbox", async (c) => c.body(await asset("page.html"), 200, headers("text/html; charset=utf-8")));
  app.get("/sandbox/:file{[a-z]+\\.(js|css)}", async (c) => {
    const name = c.req.param("file");
    const type = STATIC[name];
    return type ? c.body(await asset(name), 200, headers(type)) : c.notFound();
  });

  const api = new Hono();
  api.onError((error, c) => c.json({ ok: false, error: error.message }, error instanceof PageError ? error.status : 400));
  // JSON only: another site's page cannot send that cross-origin without a CORS preflight, which we never answer.
  api.use(async (c, next) => {
    if (c.req.method === "POST" && !(c.req.header("content-type") ?? "").startsWith("application/json")) {
      return c.json({ ok: false, error: "send JSON" }, 415);
    }
    await next();
  });

  api.get("/info", (c) =>
    c.json({
      bot: { name: driver.me.first_name, username: driver.me.username },
      customer: SANDBOX_CUSTOMER,
      admin: SANDBOX_ADMIN,
      group: { id: SANDBOX_ADMIN_CHAT, title: driver.state.chats.get(SANDBOX_ADMIN_CHAT)?.chat.title ?? "Admins" },
      currency: topUpCurrency,
      panelCurrency,
      providers: [...sandbox.providers.keys()],
      bank: deps.openTopUps !== undefined,
    }),
  );

  api.get("/chats/:chat/messages", (c) => c.json({ messages: chatMessages(driver, chatOf(c).chatId) }));

  api.post("/chats/:chat/send", async (c) => {
    const chat = chatOf(c);
    const { text } = await c.req.json<{ text?: unknown }>();
    if (typeof text !== "string" || text.trim() === "" || text.length > MAX_TEXT) throw new PageError(400, "text must be 1 to 4096 characters");
    if (chat.name === "group") return c.json({ ok: true, delivered: driver.sendToGroup(chat.chatId, chat.userId, text) !== undefined });
    driver.sendText(chat.userId, text);
    return c.json({ ok: true, delivered: true });
  });

  api.post("/chats/:chat/click", async (c) => {
    const chat = chatOf(c);
    const { messageId, data } = await c.req.json<{ messageId?: unknown; data?: unknown }>();
    if (typeof messageId !== "number" || typeof data !== "string") throw new PageError(400, "messageId and data are required");
    driver.clickButton(chat.userId, messageId, data, { chatId: chat.chatId });
    return c.json({ ok: true });
  });

  api.get("/files/:fileId", (c) => {
    const file = driver.file(c.req.param("fileId"));
    if (!file?.bytes) throw new PageError(404, "no such file");
    return c.body(Buffer.from(file.bytes), 200, {
      "content-type": file.mime_type ?? imageType(file.bytes) ?? "application/octet-stream",
      "cache-control": "private, max-age=3600",
      "x-content-type-options": "nosniff",
      ...(file.kind === "document" ? { "content-disposition": `attachment; filename="${safeName(file.file_name)}"` } : {}),
    });
  });

  /** Long poll: Telegram events after `after`, each with the page's name for its chat. */
  api.get("/events", async (c) => {
    const after = Math.max(0, Number(c.req.query("after")) || 0);
    const timeout = Math.min(Math.max(0, Number(c.req.query("timeout")) || 0), MAX_POLL_SECONDS);
    const lastSeq = driver.state.lastSeq;
    // The sandbox restarted under the page (or a bad cursor): answer at once so the page starts over.
    if (after > lastSeq) return c.json({ events: [], lastSeq, reset: true });
    const events = await driver.nextEvents(after, timeout * 1000);
    const names = new Map<number, ChatName>(Object.entries(CHATS).map(([name, v]) => [v.chatId, name as ChatName]));
    return c.json({
      events: events.map((e) => ({
        seq: e.seq,
        type: e.type,
        chat: e.chat_id === undefined ? null : (names.get(e.chat_id) ?? null),
        ...(e.type === "callback_answer" ? { toast: driver.state.callbacks.get(e.detail ?? "")?.answer?.text ?? null } : {}),
      })),
      lastSeq: driver.state.lastSeq,
    });
  });

  api.get("/topups", async (c) => {
    const list = await openTopUps();
    return c.json({
      available: deps.openTopUps !== undefined,
      paid: paidHere,
      topUps: list.map((t) => ({
        id: t.id ?? null,
        reference: t.reference,
        provider: t.provider,
        payable: sandbox.providers.has(t.provider as ProviderName),
        kind: t.qr ? "khqr" : t.checkoutUrl ? "checkout" : "other",
        checkoutUrl: t.checkoutUrl,
        amountMinor: t.amountMinor,
        currency: t.currency,
        amount: formatMoney(t.amountMinor, asCurrency(t.currency)),
        login: t.panelLogin ?? null,
        expiresAt: t.expiresAt === undefined ? null : new Date(t.expiresAt).toISOString(),
      })),
    });
  });

  /** The bank app pays an open top-up through its provider's simulator, optionally a different amount. */
  api.post("/pay", async (c) => {
    const body = await c.req.json<{ reference?: unknown; amount?: unknown }>();
    const topUp = (await openTopUps()).find((t) => t.reference === body.reference);
    if (!topUp) throw new PageError(404, "this top-up is not waiting for payment any more");
    const simulator = sandbox.providers.get(topUp.provider as ProviderName);
    if (!simulator) throw new PageError(400, `no simulator for provider ${topUp.provider}`);
    const currency = asCurrency(topUp.currency);
    let amountMinor: number | undefined;
    if (body.amount !== undefined && body.amount !== null && String(body.amount).trim() !== "") {
      const parsed = parseAmount(String(body.amount), currency);
      if (!parsed.ok || parsed.minor <= 0) throw new PageError(400, `not an amount in ${currency}: ${String(body.amount)}`);
      amountMinor = parsed.minor;
    }
    return c.json({ ok: true, ...(await payThrough(simulator, topUp, amountMinor)) });
  });

  /** The bank app pays a QR it paid before once more: a repeat payment of the same order. */
  api.post("/pay-again", async (c) => {
    const body = await c.req.json<{ reference?: unknown }>();
    const topUp = paidOrders.get(String(body.reference));
    if (!topUp) throw new PageError(404, "this top-up was not paid in the bank pane");
    const simulator = sandbox.providers.get(topUp.provider as ProviderName);
    if (!simulator) throw new PageError(400, `no simulator for provider ${topUp.provider}`);
    return c.json({ ok: true, ...(await payThrough(simulator, topUp, undefined)) });
  });

  async function payThrough(simulator: ProviderSimulator, topUp: OpenTopUp, amountMinor: number | undefined) {
    const currency = asCurrency(topUp.currency);
    const paid = await simulator.pay({
      reference: topUp.reference,
      qr: topUp.qr,
      checkoutUrl: topUp.checkoutUrl,
      ...(amountMinor !== undefined ? { amountMinor } : {}),
    });
    const record = {
      reference: topUp.reference,
      provider: topUp.provider,
      amount: formatMoney(amountMinor ?? topUp.amountMinor, currency),
      asked: formatMoney(topUp.amountMinor, currency),
      at: new Date().toISOString(),
      providerTxnId: paid.providerTxnId,
    };
    paidHere.unshift(record);
    paidHere.splice(10);
    paidOrders.set(topUp.reference, topUp);
    for (const reference of paidOrders.keys()) if (!paidHere.some((p) => p.reference === reference)) paidOrders.delete(reference);
    return record;
  }

  api.get("/panel", (c) =>
    c.json({
      currency: panelCurrency,
      users: [...sandbox.panel.users].map(([login, balanceMinor]) => ({ login, balanceMinor, balance: formatMoney(balanceMinor, panelCurrency) })),
      payments: sandbox.panel.payments.slice(-8).reverse().map((p) => ({
        id: p.id,
        login: p.login,
        kind: p.kind,
        amount: formatMoney(p.amountMinor, panelCurrency),
        memo: p.memo,
        at: p.at.toISOString(),
      })),
    }),
  );

  app.route("/sandbox/api", api);
}

function asCurrency(value: string | undefined): Currency {
  return CURRENCIES.includes(value as Currency) ? (value as Currency) : "USD";
}

/** Photos are stored without a MIME type: tell PNG, JPEG, GIF and WebP apart by their first bytes. */
function imageType(bytes: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(1, 4) === "PNG") return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "image/jpeg";
  if (ascii(0, 3) === "GIF") return "image/gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return undefined;
}

function safeName(name: string | undefined): string {
  return (name ?? "file").replace(/[^\w.-]+/g, "_");
}
