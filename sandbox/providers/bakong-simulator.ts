import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import { khqrMd5, validateKhqr } from "../../src/khqr/index.js";
import { decimalString, type Currency } from "../../src/money/money.js";
import { holdOpen, noApiFaults, noWebhookFaults, sleep, takeApiFault } from "../faults.js";
import type { PayableOrder, ProviderSimulator } from "../provider-simulator.js";
import { serveApp } from "../serve.js";

/** The Open API paths and error codes, from docs/khqr-bakong.md ("Bakong Open API"). */
const PATHS = {
  byMd5: "/v1/check_transaction_by_md5",
  byHash: "/v1/check_transaction_by_hash",
  byMd5List: "/v1/check_transaction_by_md5_list",
  account: "/v1/check_bakong_account",
  deeplink: "/v1/generate_deeplink_by_qr",
} as const;
const ERROR = { notFound: 1, staticQr: 2, failed: 3, deeplink: 4, missingFields: 5, unauthorized: 6, accountNotFound: 11 } as const;
const LIST_LIMIT = 50;
/**
 * Where simulated short links point: https like Bakong's own, on a host that never resolves (.invalid).
 * Nothing opens them but the sandbox page, which shows its bank pane on the card's top-up instead.
 */
const LINK_ORIGIN = "https://bakong-deeplink.sandbox.invalid";

/** Which body the md5 list endpoint accepts, or "absent" for a server without it (answers 404). */
export type BakongListMode = "array" | "object" | "absent";

export interface BakongSimulatorOptions {
  /** The bearer token our adapter must send. */
  token: string;
  listMode?: BakongListMode;
  /** Accounts check_bakong_account knows, besides every account that received a payment. */
  accounts?: string[];
  /** The payer's Bakong account unless a payment names another. */
  payerAccountId?: string;
  /** How long a "timeout" fault holds a request open. */
  timeoutHoldMs?: number;
  now?: () => number;
  port?: number;
}

/** How Bakong may describe a payment oddly: the literal JSON of `amount` and `currency`, or an unreadable answer. */
export interface BakongOddAnswer {
  /** Written as is, e.g. `1.005` or `"1.00"`. */
  amountJson?: string;
  currency?: string;
  /** The md5 answer lacks the hash and the list item has no status. */
  unreadable?: boolean;
}

/** A bank-app payment: optionally to another account than the QR's (mismatch tests), failed, or oddly answered. */
export type BakongPayment = PayableOrder & { toAccountId?: string; fromAccountId?: string; failed?: boolean; odd?: BakongOddAnswer };

interface Transaction {
  md5: string;
  hash: string;
  fromAccountId: string;
  toAccountId: string;
  currency: Currency;
  amountMinor: number;
  description: string;
  failed: boolean;
  odd?: BakongOddAnswer;
}

type Endpoint = keyof typeof PATHS;

/** What generate_deeplink_by_qr does: issue links, refuse with errorCode 4, or hold the request open (then refuse). */
export type BakongDeeplinkMode = "ok" | "error" | "hang";

/** What a simulated short link opens: the bank app on this QR. */
export interface BakongDeeplink {
  qr: string;
  md5: string;
  /** The QR's bill number (62.01): our top-up reference. */
  reference: string | undefined;
  appName: string;
  appIconUrl: string;
  callback: string;
}

export type BakongSimulator = ProviderSimulator & {
  listMode: BakongListMode;
  /** The next N list calls are refused as a whole (errorCode 5), as Bakong may refuse a batch it dislikes. */
  refuseNextLists: number;
  /** Calls per endpoint, counted before faults and the token check (benchmarks read it). */
  readonly calls: Record<Endpoint, number>;
  resetCalls(): void;
  pay(order: BakongPayment): Promise<{ providerTxnId: string }>;
  deeplinkMode: BakongDeeplinkMode;
  /** Links issued so far, by their id (the path of the short link). */
  readonly deeplinks: ReadonlyMap<string, BakongDeeplink>;
};

/** The Bakong Open API's transaction lookups on loopback, and a bank app that pays KHQR strings. */
export async function startBakongSimulator(opts: BakongSimulatorOptions): Promise<BakongSimulator> {
  const now = opts.now ?? Date.now;
  const apiFaults = noApiFaults();
  const byMd5 = new Map<string, Transaction>();
  const byHash = new Map<string, Transaction>();
  const accounts = new Set(opts.accounts ?? []);
  const calls: Record<Endpoint, number> = { byMd5: 0, byHash: 0, byMd5List: 0, account: 0, deeplink: 0 };
  const deeplinks = new Map<string, BakongDeeplink>();

  let listMode: BakongListMode = opts.listMode ?? "array";
  let deeplinkMode: BakongDeeplinkMode = "ok";
  let refuseNextLists = 0;
  const closing = new AbortController();

  async function pay(order: BakongPayment): Promise<{ providerTxnId: string }> {
    if (!order.qr) throw new Error("Bakong simulator: a Bakong payment needs the KHQR string");
    const checked = validateKhqr(order.qr, { now });
    if (!checked.ok) throw new Error(`Bakong simulator: not a valid KHQR (${checked.error.message})`);
    const qr = checked.value;
    if (qr.amountMinor === undefined) throw new Error("Bakong simulator: only a dynamic KHQR (with an amount) can be checked by md5");
    const md5 = khqrMd5(order.qr);
    if (byMd5.has(md5)) throw new Error("Bakong simulator: this KHQR has already been paid");
    const txn: Transaction = {
      md5,
      hash: randomBytes(32).toString("hex"),
      fromAccountId: order.fromAccountId ?? opts.payerAccountId ?? "sokha_chan@aclb",
      toAccountId: order.toAccountId ?? qr.account.bakongAccountId,
      currency: order.currency ?? qr.currency,
      amountMinor: order.amountMinor ?? qr.amountMinor,
      description: qr.billNumber ?? order.reference,
      failed: order.failed ?? false,
      ...(order.odd ? { odd: order.odd } : {}),
    };
    byMd5.set(md5, txn);
    byHash.set(txn.hash, txn);
    accounts.add(txn.toAccountId);
    return { providerTxnId: txn.hash };
  }

  const app = new Hono();

  /** Counting, faults and the bearer token, shared by every API route. */
  const api = (endpoint: Endpoint, answer: (c: Context, body: unknown) => Response | Promise<Response>) =>
    app.post(PATHS[endpoint], async (c) => {
      calls[endpoint] += 1;
      if (apiFaults.delayMs > 0) await sleep(apiFaults.delayMs);
      const fault = takeApiFault(apiFaults);
      if (fault === "http500") return c.json({ responseCode: 1, responseMessage: "Internal Server Error", errorCode: null, data: null }, 500);
      if (fault === "http429") return c.json({ responseCode: 1, responseMessage: "Too Many Requests", errorCode: null, data: null }, 429, { "Retry-After": "1" });
      if (fault === "timeout") await sleep(opts.timeoutHoldMs ?? 30_000);
      if (c.req.header("authorization") !== `Bearer ${opts.token}`) {
        return c.json(envelopeError(ERROR.unauthorized, "Unauthorized, not yet requested for token or code invalid"), 401);
      }
      const body: unknown = await c.req.json().catch(() => undefined);
      return answer(c, body);
    });

  const transactionAnswer = (c: Context, txn: Transaction | undefined) => {
    if (!txn) return c.json(envelopeError(ERROR.notFound, "Transaction could not be found. Please check and try again."));
    if (txn.failed) return c.json(envelopeError(ERROR.failed, "Transaction failed."));
    return jsonText(c, `{"responseCode":0,"responseMessage":"Getting transaction successfully.","errorCode":null,"data":${transactionJson(txn)}}`);
  };

  api("byMd5", (c, body) => {
    const md5 = stringField(body, "md5");
    return md5 === undefined ? missingFields(c) : transactionAnswer(c, byMd5.get(md5));
  });

  api("byHash", (c, body) => {
    const hash = stringField(body, "hash");
    return hash === undefined ? missingFields(c) : transactionAnswer(c, byHash.get(hash));
  });

  api("byMd5List", (c, body) => {
    if (listMode === "absent") return c.json({ status: 404, error: "Not Found", path: PATHS.byMd5List }, 404);
    if (refuseNextLists > 0) {
      refuseNextLists -= 1;
      return c.json(envelopeError(ERROR.missingFields, "Missing required fields"), 400);
    }
    const list = listMode === "array" ? body : (body as { md5List?: unknown } | undefined)?.md5List;
    if (!Array.isArray(list) || list.length === 0 || list.length > LIST_LIMIT || !list.every((m) => typeof m === "string")) {
      return c.json(envelopeError(ERROR.missingFields, "Missing required fields"), 400);
    }
    const data = (list as string[]).map((md5) => {
      const txn = byMd5.get(md5);
      if (txn?.odd?.unreadable) return { md5, status: null, message: null };
      const status = !txn ? "NOT_FOUND" : txn.failed ? "FAILED" : "SUCCESS";
      return { md5, status, message: status === "SUCCESS" ? "Transaction found" : "Transaction could not be found" };
    });
    return c.json({ responseCode: 0, responseMessage: "Getting transactions successfully.", errorCode: null, data });
  });

  api("account", (c, body) => {
    const accountId = stringField(body, "accountId");
    if (accountId === undefined) return missingFields(c);
    if (!accounts.has(accountId)) return c.json(envelopeError(ERROR.accountNotFound, "Account ID not found"));
    return c.json({ responseCode: 0, responseMessage: "Account ID exists", errorCode: null, data: { bakongAccountExists: true } });
  });

  api("deeplink", async (c, body) => {
    const qr = stringField(body, "qr");
    const source = (body as { sourceInfo?: unknown } | undefined)?.sourceInfo;
    const appName = stringField(source, "appName");
    const appIconUrl = stringField(source, "appIconUrl");
    const callback = stringField(source, "appDeepLinkCallback");
    if (qr === undefined || appName === undefined || appIconUrl === undefined || callback === undefined) return missingFields(c);
    if (deeplinkMode === "hang") await holdOpen(closing.signal, opts.timeoutHoldMs ?? 30_000);
    if (deeplinkMode !== "ok") return c.json(envelopeError(ERROR.deeplink, "Cannot generate deeplink"));
    const checked = validateKhqr(qr, { now });
    if (!checked.ok) return c.json(envelopeError(ERROR.deeplink, "Cannot generate deeplink"));
    if (checked.value.amountMinor === undefined) return c.json(envelopeError(ERROR.staticQr, "Static QR is not supported"));
    const id = randomBytes(8).toString("hex");
    const reference = checked.value.billNumber;
    deeplinks.set(id, { qr, md5: khqrMd5(qr), reference, appName, appIconUrl, callback });
    const shortLink = `${LINK_ORIGIN}/${id}${reference ? `?reference=${encodeURIComponent(reference)}` : ""}`;
    return c.json({ responseCode: 0, responseMessage: "Getting deeplink successfully", errorCode: null, data: { shortLink } });
  });

  app.post("/_control/pay", async (c) => {
    const input = (await c.req.json().catch(() => null)) as BakongPayment | null;
    if (!input || typeof input.reference !== "string") return c.json({ error: "reference is required" }, 400);
    try {
      return c.json(await pay(input));
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 422);
    }
  });

  const server = await serveApp(app, { port: opts.port });
  return {
    name: "bakong",
    url: server.url,
    get listMode() {
      return listMode;
    },
    set listMode(mode: BakongListMode) {
      listMode = mode;
    },
    get refuseNextLists() {
      return refuseNextLists;
    },
    set refuseNextLists(n: number) {
      refuseNextLists = n;
    },
    get deeplinkMode() {
      return deeplinkMode;
    },
    set deeplinkMode(mode: BakongDeeplinkMode) {
      deeplinkMode = mode;
    },
    deeplinks,
    calls,
    resetCalls: () => {
      for (const key of Object.keys(calls) as Endpoint[]) calls[key] = 0;
    },
    pay,
    // Bakong has no webhooks.
    setWebhookUrl: () => undefined,
    apiFaults,
    webhookFaults: noWebhookFaults(),
    close: () => {
      closing.abort();
      return server.close();
    },
  };
}

function envelopeError(errorCode: number, responseMessage: string) {
  return { responseCode: 1, responseMessage, errorCode, data: null };
}

function missingFields(c: Context): Response {
  return c.json(envelopeError(ERROR.missingFields, "Missing required fields"));
}

function stringField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function jsonText(c: Context, text: string): Response {
  return c.body(text, 200, { "content-type": "application/json" });
}

/** Bakong writes amounts as JSON numbers with a decimal point (`1.0`, `10.5`), which JSON.stringify cannot. */
function transactionJson(txn: Transaction): string {
  const fields = JSON.stringify({
    ...(txn.odd?.unreadable ? {} : { hash: txn.hash }),
    fromAccountId: txn.fromAccountId,
    toAccountId: txn.toAccountId,
    currency: txn.odd?.currency ?? txn.currency,
  });
  const description = JSON.stringify(txn.description);
  const amount = txn.odd?.amountJson ?? bakongAmount(txn.amountMinor, txn.currency);
  return `${fields.slice(0, -1)},"amount":${amount},"description":${description}}`;
}

function bakongAmount(minor: number, currency: Currency): string {
  const [whole, fraction = ""] = decimalString(minor, currency).split(".");
  return `${whole}.${fraction.replace(/0+$/, "") || "0"}`;
}
