import { Hono, type Context } from "hono";
import { decimalString, minorFromDecimal } from "../../src/money/money.js";
import { mountControl, PanelState, servePanelSimulator, type PanelPayment, type PanelSimulator, type PanelSimulatorOptions } from "./panel-simulator.js";

export interface PerfectPanelSimulatorOptions extends PanelSimulatorOptions {
  /** Older panels answer getUser with bad_action (default: getUser answers). */
  v1GetUser?: boolean;
}

const V2_MAX_LIMIT = 100;

/**
 * A PerfectPanel speaking Admin API v2 (/adminapi/v2, X-Api-Key, JSON envelope) and v1 (/adminapi/v1, form
 * fields) over the same users, as a real panel does. Error codes and texts the public material does not show
 * (v2 error_code values and messages, v1 bad_amount / not_enough_funds) are this simulator's own.
 */
export async function startPerfectPanelSimulator(opts: PerfectPanelSimulatorOptions): Promise<PanelSimulator> {
  const state = new PanelState(opts);
  const app = new Hono();
  mountControl(app, state);
  mountV2(app, state);
  mountV1(app, state, opts.v1GetUser ?? true);
  return servePanelSimulator(app, state, opts.port);
}

function mountV2(app: Hono, state: PanelState): void {
  const ok = (c: Context, data: unknown, extra: object = {}) => c.json({ data, error_code: 0, error_message: "", ...extra });
  const fail = (c: Context, code: number, message: string, status: 200 | 400 | 401 = 200) =>
    c.json({ data: null, error_code: code, error_message: message }, status);
  const money = (minor: number) => decimalString(minor, state.currency);
  const api = (handler: (c: Context) => Response | Promise<Response>) => (c: Context) =>
    state.withFaults(c, () => fail(c, 401, "Invalid API key", 401), () =>
      c.req.header("x-api-key") === state.opts.apiKey ? handler(c) : fail(c, 401, "Invalid API key", 401),
    );

  app.get("/adminapi/v2/users", api((c) => {
    const wanted = (c.req.query("username") ?? "").toLowerCase();
    // Like the panel's admin search: a part of the username matches.
    const list = [...state.users].filter(([login]) => wanted !== "" && login.toLowerCase().includes(wanted))
      .map(([login, balance], i) => ({ id: i + 1, username: login, email: `${login}@example.test`, balance: money(balance), status: "active" }));
    return ok(c, { count: list.length, list });
  }));

  app.post("/adminapi/v2/payments/add", api(async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (body === null || typeof body !== "object") return fail(c, 400, "Request body must be JSON", 400);
    const { username, amount, method, memo } = body;
    if (typeof username !== "string" || username === "") return fail(c, 100, "Field username is required");
    const amountMinor = typeof amount === "number" && amount > 0 ? minorFromDecimal(amount, state.currency) : null;
    if (amountMinor === null || amountMinor === 0) return fail(c, 101, "Field amount must be a positive number");
    if (typeof method !== "string" || method === "") return fail(c, 102, "Field method is required");
    if (memo !== undefined && typeof memo !== "string") return fail(c, 103, "Field memo must be a string");
    const applied = state.apply(username, amountMinor, "credit", memo ?? "", method);
    if (!applied.ok) return fail(c, 104, "User not found");
    return ok(c, {
      payment_id: applied.payment.id,
      user: { username, balance: Number(money(applied.balanceMinor)) },
    });
  }));

  app.get("/adminapi/v2/payments", api((c) => {
    const limit = Math.min(V2_MAX_LIMIT, Math.max(1, Number(c.req.query("limit") ?? V2_MAX_LIMIT) || V2_MAX_LIMIT));
    const offset = Math.max(0, Number(c.req.query("offset") ?? 0) || 0);
    const newestFirst = [...state.payments].reverse();
    const list = newestFirst.slice(offset, offset + limit).map((p) => v2Payment(p, money));
    const nextUrl = new URL(c.req.url);
    nextUrl.searchParams.set("limit", String(limit));
    nextUrl.searchParams.set("offset", String(offset + limit));
    const more = offset + limit < newestFirst.length;
    return ok(c, { count: list.length, list }, {
      pagination: { next_page_href: more ? nextUrl.toString() : null, offset, limit, total: newestFirst.length },
    });
  }));
}

function v2Payment(p: PanelPayment, money: (minor: number) => string) {
  return {
    id: p.id,
    user: { username: p.login },
    amount: p.kind === "credit" ? money(p.amountMinor) : `-${money(p.amountMinor)}`,
    method: p.method,
    memo: p.memo,
    created_at: p.at.toISOString(),
  };
}

function mountV1(app: Hono, state: PanelState, getUser: boolean): void {
  const fail = (c: Context, error: string) => c.json({ status: "fail", error });
  const handle = async (c: Context) => {
    const fields = c.req.method === "POST" ? await c.req.parseBody() : c.req.query();
    const field = (name: string) => (typeof fields[name] === "string" ? (fields[name] as string) : "");
    return state.withFaults(c, () => fail(c, "bad_auth"), () => {
      if (field("key") !== state.opts.apiKey) return fail(c, "bad_auth");
      const username = field("username");
      const action = field("action");
      if (action === "getUser" && getUser) {
        const balance = state.users.get(username);
        if (balance === undefined) return fail(c, "bad_username");
        return c.json({ status: "success", user: { username, balance: decimalString(balance, state.currency) } });
      }
      if (action !== "addPayment" && action !== "deductPayment") return fail(c, "bad_action");
      if (!state.users.has(username)) return fail(c, "bad_username");
      const amountMinor = minorFromDecimal(field("amount"), state.currency);
      if (amountMinor === null || amountMinor === 0) return fail(c, "bad_amount");
      const kind = action === "addPayment" ? "credit" : "debit";
      const applied = state.apply(username, amountMinor, kind, field("details"), "Admin API v1");
      return applied.ok ? c.json({ status: "success" }) : fail(c, "not_enough_funds");
    });
  };
  app.post("/adminapi/v1", handle);
  app.get("/adminapi/v1", handle);
}
