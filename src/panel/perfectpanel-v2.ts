import type { OutboundPool, OutboundResponse } from "../http/outbound.js";
import type { Logger } from "../logger.js";
import { decimalString, type Currency } from "../money/money.js";
import {
  assertAmount, balanceToMinor, DEFAULT_TIMEOUTS, NoSuchPanelUser, PanelTransport, panelUrl, parseJson, type PanelOp, type PanelTimeouts,
} from "./panel-call.js";
import type { PanelClient, PanelCreditResult, PanelUser } from "./panel-client.js";
import {
  V2_AUTH_HEADER, V2_MEMO_FIELDS, V2_PATHS, V2_PAYMENTS_PAGE_SIZE, v2AddPaymentData, v2Envelope, v2Pagination,
  v2PaymentItemId, v2PaymentList, v2UserList, type V2AddPaymentRequest,
} from "./perfectpanel-v2-api.js";

export interface PerfectPanelV2Options {
  url: string;
  apiKey: string;
  paymentMethod: string;
  currency: Currency;
  timeouts?: Partial<PanelTimeouts>;
  /** Outbound connections to the panel (PANEL_MAX_CONNECTIONS); default: the shared pool. */
  pool?: OutboundPool;
  /** Pages of the payment list findCredit reads before it gives up; a search cut short is an error, never "not found". */
  findCreditPages?: number;
  log?: Logger;
}

/** PerfectPanel Admin API v2 (X-Api-Key, JSON envelope). It has no known deduction endpoint. */
export class PerfectPanelV2Client implements PanelClient {
  readonly type = "perfectpanel" as const;
  readonly capabilities = { findUser: true, debit: false, findCredit: true, memo: true };
  private readonly transport: PanelTransport;
  private readonly pages: number;

  constructor(private readonly opts: PerfectPanelV2Options) {
    this.transport = new PanelTransport({
      panel: this.type,
      apiKey: opts.apiKey,
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
      log: opts.log,
      pool: opts.pool,
    });
    this.pages = opts.findCreditPages ?? 5;
  }

  async findUser(login: string): Promise<PanelUser | null> {
    const op: PanelOp = { name: "users", write: false, login };
    const url = panelUrl(this.opts.url, `${V2_PATHS.users}?${new URLSearchParams({ username: login })}`);
    const answer = await this.request("GET", url, op).catch((err: unknown) => {
      // Some panels answer an empty search with an error instead of an empty list.
      if (err instanceof NoSuchPanelUser) return null;
      throw err;
    });
    if (answer === null) return null;
    const { res, data } = answer;
    const parsed = v2UserList.safeParse(data);
    if (!parsed.success) throw this.transport.unrecognised(op, res);
    const users: PanelUser[] = [];
    for (const u of parsed.data.list) {
      const name = u.username ?? u.login;
      if (name === undefined) throw this.transport.unrecognised(op, res);
      users.push({ login: name, balanceMinor: balanceToMinor(u.balance, this.opts.currency) });
    }
    // The username filter may be a substring search, so only the same login counts; the panel's spelling wins.
    const exact = users.find((u) => u.login === login);
    const folded = users.filter((u) => u.login.toLowerCase() === login.toLowerCase());
    return exact ?? (folded.length === 1 ? folded[0]! : null);
  }

  async credit(login: string, amountMinor: number, memo: string): Promise<PanelCreditResult> {
    const op: PanelOp = { name: "payments/add", write: true, login };
    assertAmount(this.transport, amountMinor, op);
    const body: V2AddPaymentRequest = {
      username: login,
      amount: Number(decimalString(amountMinor, this.opts.currency)),
      method: this.opts.paymentMethod,
      memo,
      affiliate_commission: false,
    };
    const { data } = await this.request("POST", panelUrl(this.opts.url, V2_PATHS.addPayment), op, JSON.stringify(body));
    // error_code 0 already says it was applied; the ids are a bonus when the panel sends them.
    const parsed = v2AddPaymentData.safeParse(data);
    if (!parsed.success) return {};
    return {
      panelPaymentId: parsed.data.payment_id,
      balanceMinor: balanceToMinor(parsed.data.user?.balance, this.opts.currency),
    };
  }

  async findCredit(memo: string): Promise<{ panelPaymentId?: string } | null> {
    const op: PanelOp = { name: "payments", write: false };
    let url = panelUrl(this.opts.url, `${V2_PATHS.payments}?limit=${V2_PAYMENTS_PAGE_SIZE}`);
    const seen = new Set<string>();
    for (let page = 0; page < this.pages; page++) {
      seen.add(url);
      const { res, body, data } = await this.request("GET", url, op);
      const parsed = v2PaymentList.safeParse(data);
      if (!parsed.success) throw this.transport.unrecognised(op, res);
      const items = parsed.data.list;
      if (items.length > 0 && !items.some((item) => V2_MEMO_FIELDS.some((f) => f in item))) {
        // Without a memo field "not found" would be a guess, and a wrong guess re-sends a credit.
        throw this.transport.error("unavailable", "panel's payment list has no memo field (memo, comment or details): cannot look for a credit by memo", res.text);
      }
      const hit = items.find((item) => V2_MEMO_FIELDS.some((f) => typeof item[f] === "string" && (item[f] as string).trim() === memo.trim()));
      if (hit) {
        const ids = v2PaymentItemId.safeParse(hit);
        return { panelPaymentId: ids.success ? (ids.data.id ?? ids.data.payment_id) : undefined };
      }
      const top = nextPageHref(body);
      const next = top !== undefined ? top : parsed.data.pagination?.next_page_href;
      if (next === undefined && items.length >= V2_PAYMENTS_PAGE_SIZE) {
        throw this.transport.error("unavailable", "panel's payment list gave a full page and no pagination.next_page_href: older payments cannot be searched", res.text);
      }
      if (!next || items.length === 0) return null;
      url = this.followable(next, url, res);
      if (seen.has(url)) throw this.transport.error("unavailable", "panel's payment list pagination loops back on itself", res.text);
    }
    throw this.transport.error(
      "unavailable",
      `memo ${memo} is not among the ${this.pages * V2_PAYMENTS_PAGE_SIZE} most recent panel payments and older ones were not searched`,
    );
  }

  private async request(method: "GET" | "POST", url: string, op: PanelOp, body?: string): Promise<{ res: OutboundResponse; body: unknown; data: unknown }> {
    const headers: Record<string, string> = { [V2_AUTH_HEADER]: this.opts.apiKey, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await this.transport.call(url, { method, headers, body }, op);
    const json = parseJson(res.text);
    const envelope = v2Envelope.safeParse(json);
    if (!envelope.success) throw this.transport.unrecognised(op, res);
    if (envelope.data.error_code !== 0) {
      throw this.transport.refusal(op, messageText(envelope.data.error_message), res.text, res.status);
    }
    if (res.status >= 300) throw this.transport.unrecognised(op, res);
    return { res, body: json, data: envelope.data.data };
  }

  /** The next page, only on the panel's own origin: the API key goes with every request. */
  private followable(href: string, current: string, res: OutboundResponse): string {
    let next: URL;
    try {
      next = new URL(href, current);
    } catch {
      throw this.transport.error("unavailable", `panel's next_page_href is not a URL: ${href}`, res.text);
    }
    if (next.origin !== new URL(this.opts.url).origin) {
      throw this.transport.error("unavailable", `panel's next_page_href leads to another site (${next.origin}): not followed`, res.text);
    }
    return next.toString();
  }
}

function nextPageHref(body: unknown): string | null | undefined {
  const pagination = (body as { pagination?: unknown } | null)?.pagination;
  const parsed = v2Pagination.safeParse(pagination);
  return parsed.success ? parsed.data.next_page_href : undefined;
}

function messageText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
