import { readFile } from "node:fs/promises";
import { Hono, type Context } from "hono";
import type { ProviderName } from "../../src/config/config.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";
import { CURRENCIES, formatMoney, parseAmount, type Currency } from "../../src/money/money.js";
import type { PanelSimulator } from "../panels/panel-simulator.js";
import type { ProviderSimulator } from "../provider-simulator.js";
import { SANDBOX_CUSTOMER_B, SANDBOX_OPERATOR, SANDBOX_OWNER, isPlatformSandbox } from "../start-platform-sandbox.js";
import { SANDBOX_ADMIN, SANDBOX_ADMIN_CHAT, SANDBOX_CUSTOMER, type Sandbox } from "../start-sandbox.js";
import type { BotDriver } from "../telegram/index.js";
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
  /** Whose top-up it is on a platform (the sandbox's own shop is the default merchant). */
  merchantId?: number;
}

export interface SandboxPageDeps {
  /** Top-ups waiting for payment (status PENDING). Without it the bank pane has nothing to pay. */
  openTopUps?(): Promise<OpenTopUp[]>;
  /** The simulated panel's currency (the sandbox panel keeps USD). */
  panelCurrency?: Currency;
}

/**
 * The bots the page talks to: the shop's; on a platform also the second shop's (`shop2`, opened by /newshop) and
 * the platform's own (`platform`). Each has its own chats and its own sequence of events.
 */
type BotName = "shop" | "shop2" | "platform";
/** A chat the page shows: in which bot, which chat, and who the page writes as. */
interface PageChat {
  bot: BotName;
  chatId: number;
  userId: number;
}
/**
 * The shop's customer and admin chats and its admin group; on a platform also the second shop's customer, the panel
 * owner and the operator in the platform's bot, and the owner in their shop's bot (its admin once it is live).
 */
function pageChats(platform: boolean): Record<string, PageChat> {
  const shop = {
    customer: { bot: "shop", chatId: SANDBOX_CUSTOMER.id, userId: SANDBOX_CUSTOMER.id },
    admin: { bot: "shop", chatId: SANDBOX_ADMIN.id, userId: SANDBOX_ADMIN.id },
    group: { bot: "shop", chatId: SANDBOX_ADMIN_CHAT, userId: SANDBOX_ADMIN.id },
  } as const;
  if (!platform) return shop;
  return {
    ...shop,
    customer2: { bot: "shop2", chatId: SANDBOX_CUSTOMER_B.id, userId: SANDBOX_CUSTOMER_B.id },
    owner: { bot: "platform", chatId: SANDBOX_OWNER.id, userId: SANDBOX_OWNER.id },
    owner2: { bot: "shop2", chatId: SANDBOX_OWNER.id, userId: SANDBOX_OWNER.id },
    operator: { bot: "platform", chatId: SANDBOX_OPERATOR.id, userId: SANDBOX_OPERATOR.id },
  };
}

/** Longest a long poll for events is held: short, so it never holds up a shutdown for long. */
const MAX_POLL_SECONDS = 5;
const MAX_TEXT = 4096;

const JS = "text/javascript; charset=utf-8";
const STATIC: Record<string, string> = {
  "page.js": JS, "platform.js": JS, "chat.js": JS, "dom.js": JS, "bank.js": JS, "panel.js": JS, "live.js": JS, "tabs.js": JS, "page.css": "text/css; charset=utf-8",
};
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

class PageError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

const asset = (name: string) => readFile(new URL(`./${name}`, import.meta.url), "utf8");

/**
 * Mounts GET /sandbox (the try-it page) and its JSON API under /sandbox/api, talking to the sandbox in-process; on
 * the sandbox of a platform also GET /sandbox/platform (two shops and the platform's bot side by side).
 */
export function sandboxPage(app: Hono, sandbox: Sandbox, deps: SandboxPageDeps = {}): void {
  const platform = isPlatformSandbox(sandbox) ? sandbox : undefined;
  const bots: Partial<Record<BotName, BotDriver>> = { shop: sandbox.bot, shop2: platform?.newShop.bot, platform: platform?.platformBot };
  const driverOf = (name: string): BotDriver => {
    const driver = Object.hasOwn(bots, name) ? bots[name as BotName] : undefined;
    if (!driver) throw new PageError(404, `unknown bot "${name}"`);
    return driver;
  };
  const chats = pageChats(platform !== undefined);
  const topUpCurrency = asCurrency(sandbox.env.TOPUP_CURRENCY);
  const panelCurrency = deps.panelCurrency ?? "USD";
  const chatOf = (c: Context) => {
    const name = c.req.param("chat") ?? "";
    if (!Object.hasOwn(chats, name)) throw new PageError(404, `unknown chat "${name}"`);
    const chat = chats[name]!;
    return { name, ...chat, driver: driverOf(chat.bot) };
  };
  /** The shop's panel, or on a platform the second shop's (`shop2`). */
  const panelOf = (name: string | undefined): PanelSimulator => {
    if (name === undefined || name === "shop") return sandbox.panel;
    if (name === "shop2" && platform) return platform.newShop.panel;
    throw new PageError(404, `unknown shop "${name}"`);
  };
  /** The simulator of the provider a top-up was opened with, of the shop it belongs to. */
  const simulatorOf = (t: OpenTopUp): ProviderSimulator | undefined => {
    const providers = platform && t.merchantId !== undefined && t.merchantId !== DEFAULT_MERCHANT_ID ? platform.newShop.providers : sandbox.providers;
    return providers.get(t.provider as ProviderName);
  };
  const openTopUps = async () => (deps.openTopUps ? await deps.openTopUps() : []);
  /** What the bank pane paid, newest first, so the page can show it after a reload. */
  const paidHere: Array<{ reference: string; provider: string; amount: string; asked: string; at: string; providerTxnId: string }> = [];
  /** What the bank pane paid, by reference, so that it can pay the same QR again (only those in paidHere). */
  const paidOrders = new Map<string, OpenTopUp>();

  const headers = (type: string) => ({ "content-type": type, "cache-control": "no-store", "content-security-policy": CSP });
  app.get("/sandbox", async (c) => c.body(await asset("page.html"), 200, headers("text/html; charset=utf-8")));
  if (platform) app.get("/sandbox/platform", async (c) => c.body(await asset("platform.html"), 200, headers("text/html; charset=utf-8")));
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

  const botInfo = (driver: BotDriver) => ({ name: driver.me.first_name, username: driver.me.username });
  api.get("/info", (c) =>
    c.json({
      bot: botInfo(sandbox.bot),
      customer: SANDBOX_CUSTOMER,
      admin: SANDBOX_ADMIN,
      group: { id: SANDBOX_ADMIN_CHAT, title: sandbox.bot.state.chats.get(SANDBOX_ADMIN_CHAT)?.chat.title ?? "Admins" },
      currency: topUpCurrency,
      panelCurrency,
      providers: [...sandbox.providers.keys()],
      bank: deps.openTopUps !== undefined,
      platform: platform
        ? {
            bot: botInfo(platform.platformBot),
            shop2: { ...botInfo(platform.newShop.bot), providers: [...platform.newShop.providers.keys()] },
            owner: SANDBOX_OWNER,
            operator: SANDBOX_OPERATOR,
            customer2: SANDBOX_CUSTOMER_B,
            answers: platform.newShop.answers,
          }
        : null,
    }),
  );

  api.get("/chats/:chat/messages", (c) => {
    const chat = chatOf(c);
    return c.json({ messages: chatMessages(chat.driver, chat.chatId, chat.bot) });
  });

  api.post("/chats/:chat/send", async (c) => {
    const chat = chatOf(c);
    const { text } = await c.req.json<{ text?: unknown }>();
    if (typeof text !== "string" || text.trim() === "" || text.length > MAX_TEXT) throw new PageError(400, "text must be 1 to 4096 characters");
    if (chat.chatId < 0) return c.json({ ok: true, delivered: chat.driver.sendToGroup(chat.chatId, chat.userId, text) !== undefined });
    chat.driver.sendText(chat.userId, text);
    return c.json({ ok: true, delivered: true });
  });

  api.post("/chats/:chat/click", async (c) => {
    const chat = chatOf(c);
    const { messageId, data } = await c.req.json<{ messageId?: unknown; data?: unknown }>();
    if (typeof messageId !== "number" || typeof data !== "string") throw new PageError(400, "messageId and data are required");
    chat.driver.clickButton(chat.userId, messageId, data, { chatId: chat.chatId });
    return c.json({ ok: true });
  });

  /** A file a bot sent (`?bot=`, the shop's by default). */
  api.get("/files/:fileId", (c) => {
    const file = driverOf(c.req.query("bot") ?? "shop").file(c.req.param("fileId"));
    if (!file?.bytes) throw new PageError(404, "no such file");
    return c.body(Buffer.from(file.bytes), 200, {
      "content-type": file.mime_type ?? imageType(file.bytes) ?? "application/octet-stream",
      "cache-control": "private, max-age=3600",
      "x-content-type-options": "nosniff",
      ...(file.kind === "document" ? { "content-disposition": `attachment; filename="${safeName(file.file_name)}"` } : {}),
    });
  });

  /** Long poll: one bot's (`?bot=`, the shop's by default) Telegram events after `after`, each with the page's name for its chat. */
  api.get("/events", async (c) => {
    const bot = c.req.query("bot") ?? "shop";
    const driver = driverOf(bot);
    const after = Math.max(0, Number(c.req.query("after")) || 0);
    const timeout = Math.min(Math.max(0, Number(c.req.query("timeout")) || 0), MAX_POLL_SECONDS);
    const lastSeq = driver.state.lastSeq;
    // The sandbox restarted under the page (or a bad cursor): answer at once so the page starts over.
    if (after > lastSeq) return c.json({ events: [], lastSeq, reset: true });
    const events = await driver.nextEvents(after, timeout * 1000);
    const names = new Map<number, string>(Object.entries(chats).filter(([, v]) => v.bot === bot).map(([name, v]) => [v.chatId, name]));
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
        payable: simulatorOf(t) !== undefined,
        shop: platform && t.merchantId !== undefined && t.merchantId !== DEFAULT_MERCHANT_ID ? "shop2" : "shop",
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
    const simulator = simulatorOf(topUp);
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
    const simulator = simulatorOf(topUp);
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

  /** A shop's panel (`?shop=shop2` on a platform; the shop's by default). */
  api.get("/panel", (c) => {
    const panel = panelOf(c.req.query("shop"));
    return c.json({
      currency: panelCurrency,
      users: [...panel.users].map(([login, balanceMinor]) => ({ login, balanceMinor, balance: formatMoney(balanceMinor, panelCurrency) })),
      payments: panel.payments.slice(-8).reverse().map((p) => ({
        id: p.id,
        login: p.login,
        kind: p.kind,
        amount: formatMoney(p.amountMinor, panelCurrency),
        memo: p.memo,
        at: p.at.toISOString(),
      })),
    });
  });

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
