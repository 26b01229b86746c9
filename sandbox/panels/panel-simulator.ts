import { Hono, type Context } from "hono";
import { z } from "zod";
import type { Currency } from "../../src/money/money.js";
import { sleep } from "../faults.js";
import { serveApp } from "../serve.js";

/** A balance change the simulated panel applied. */
export interface PanelPayment {
  id: number;
  login: string;
  amountMinor: number;
  memo: string;
  method: string;
  kind: "credit" | "debit";
  at: Date;
}

/**
 * http500 / http429: answer that status without applying (429 with Retry-After: PANEL_RETRY_AFTER_SECONDS). timeoutBefore: hold the request open, never apply.
 * timeoutAfter: apply, then hold the answer open. rejectKey: answer the panel's bad-key error.
 * statusBefore: answer a proxy's error page (the fault's next status) without applying; statusAfter: apply, then
 * answer that page (a proxy's 502/520 or the panel's own 500 after it committed).
 */
export type PanelFaultMode = "none" | "http500" | "http429" | "timeoutBefore" | "timeoutAfter" | "rejectKey" | "statusBefore" | "statusAfter";

export interface PanelFaults {
  mode: PanelFaultMode;
  /** API calls left with this fault (Infinity = until reset). */
  remaining: number;
  /** Apply, then answer this much later, on every API call. */
  slowMs: number;
  /** statusBefore / statusAfter: the statuses answered, one per faulted call in turn. */
  statuses: number[];
}

/** What a 429 from the simulated panel asks for: longer than the crediter's first backoff, so its effect shows. */
export const PANEL_RETRY_AFTER_SECONDS = 3;

/** API calls the simulator has taken: in all, in flight now, and the most in flight at once (tests may reset it). */
export interface PanelTraffic {
  calls: number;
  inFlight: number;
  peakInFlight: number;
}

export interface PanelSimulatorOptions {
  apiKey: string;
  /** login → balance in minor units. */
  users?: Record<string, number>;
  port?: number;
  /** The panel's currency (default USD). */
  currency?: Currency;
}

export interface PanelSimulator {
  readonly url: string;
  close(): Promise<void>;
  readonly users: Map<string, number>;
  readonly payments: PanelPayment[];
  addUser(login: string, balanceMinor?: number): void;
  balanceOf(login: string): number | undefined;
  readonly faults: PanelFaults;
  readonly traffic: PanelTraffic;
  /** The next `times` API calls (default: all until reset) meet this fault; `statuses` for statusBefore / statusAfter (default 502). */
  setFault(mode: Exclude<PanelFaultMode, "none">, times?: number, statuses?: readonly number[]): void;
  resetFaults(): void;
}

export type ApplyResult = { ok: true; payment: PanelPayment; balanceMinor: number } | { ok: false; reason: "no_user" | "insufficient" };

/** Longest a held request stays open; close() releases them all sooner. */
const HOLD_MAX_MS = 120_000;

/** Users, payments and faults shared by a simulator's routes, and the fault plumbing around each API call. */
export class PanelState {
  readonly users = new Map<string, number>();
  readonly payments: PanelPayment[] = [];
  readonly faults: PanelFaults = { mode: "none", remaining: 0, slowMs: 0, statuses: [] };
  readonly traffic: PanelTraffic = { calls: 0, inFlight: 0, peakInFlight: 0 };
  private faultsTaken = 0;
  readonly currency: Currency;
  private readonly holds = new Set<() => void>();

  constructor(readonly opts: PanelSimulatorOptions) {
    this.currency = opts.currency ?? "USD";
    for (const [login, balance] of Object.entries(opts.users ?? {})) this.addUser(login, balance);
  }

  addUser(login: string, balanceMinor = 0): void {
    this.users.set(login, balanceMinor);
  }

  apply(login: string, amountMinor: number, kind: PanelPayment["kind"], memo: string, method: string): ApplyResult {
    const balance = this.users.get(login);
    if (balance === undefined) return { ok: false, reason: "no_user" };
    if (kind === "debit" && balance < amountMinor) return { ok: false, reason: "insufficient" };
    const balanceMinor = kind === "credit" ? balance + amountMinor : balance - amountMinor;
    this.users.set(login, balanceMinor);
    const payment: PanelPayment = { id: this.payments.length + 1, login, amountMinor, memo, method, kind, at: new Date() };
    this.payments.push(payment);
    return { ok: true, payment, balanceMinor };
  }

  setFault(mode: Exclude<PanelFaultMode, "none">, times = Infinity, statuses: readonly number[] = [502]): void {
    Object.assign(this.faults, { mode, remaining: times, statuses: [...statuses] });
    this.faultsTaken = 0;
  }

  resetFaults(): void {
    Object.assign(this.faults, { mode: "none", remaining: 0, slowMs: 0, statuses: [] });
  }

  /**
   * Runs one API call under the active fault. `run` applies the call and builds the answer;
   * `badKey` builds the panel's own bad-key answer.
   */
  async withFaults(c: Context, badKey: () => Response, run: () => Response | Promise<Response>): Promise<Response> {
    const t = this.traffic;
    t.calls += 1;
    t.peakInFlight = Math.max(t.peakInFlight, ++t.inFlight);
    try {
      return await this.answer(c, badKey, run);
    } finally {
      t.inFlight -= 1;
    }
  }

  private async answer(c: Context, badKey: () => Response, run: () => Response | Promise<Response>): Promise<Response> {
    const { mode: fault, status } = this.takeFault();
    if (fault === "statusBefore") return proxyError(c, status);
    if (fault === "http500") return c.html("<html><body><h1>500 Internal Server Error</h1></body></html>", 500);
    if (fault === "http429") return c.text("Too Many Requests", 429, { "retry-after": String(PANEL_RETRY_AFTER_SECONDS) });
    if (fault === "rejectKey") return badKey();
    if (fault === "timeoutBefore") {
      await this.hold();
      return c.text("held", 504);
    }
    const answer = await run();
    if (fault === "statusAfter") return proxyError(c, status);
    if (fault === "timeoutAfter") await this.hold();
    if (this.faults.slowMs > 0) await sleep(this.faults.slowMs);
    return answer;
  }

  releaseHolds(): void {
    for (const release of this.holds) release();
    this.holds.clear();
  }

  /** Consumes one use of the active fault: its mode, and the status a statusBefore / statusAfter answers. */
  private takeFault(): { mode: PanelFaultMode; status: number } {
    const f = this.faults;
    if (f.mode === "none" || f.remaining <= 0) return { mode: "none", status: 0 };
    const status = f.statuses[this.faultsTaken++ % Math.max(1, f.statuses.length)] ?? 502;
    f.remaining -= 1;
    const mode = f.mode;
    if (f.remaining <= 0) f.mode = "none";
    return { mode, status };
  }

  private hold(): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.holds.delete(release);
        resolve();
      };
      const timer = setTimeout(release, HOLD_MAX_MS);
      timer.unref();
      this.holds.add(release);
    });
  }
}

/** The error page a proxy in front of the panel (Cloudflare, nginx) answers with. */
function proxyError(c: Context, status: number): Response {
  return c.html(`<html><body><h1>Error ${status}</h1><p>cloudflare</p></body></html>`, status as 500);
}

const controlUser = z.object({ login: z.string().min(1), balanceMinor: z.number().int().nonnegative().optional() });

/** `POST /_control/users` and `GET /_control/state`, for the sandbox page. */
export function mountControl(app: Hono, state: PanelState): void {
  app.post("/_control/users", async (c) => {
    const parsed = controlUser.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: "expected {login, balanceMinor}" }, 400);
    state.addUser(parsed.data.login, parsed.data.balanceMinor);
    return c.json({ login: parsed.data.login, balanceMinor: state.users.get(parsed.data.login) });
  });
  app.get("/_control/state", (c) =>
    c.json({
      currency: state.currency,
      users: Object.fromEntries(state.users),
      payments: state.payments,
      faults: { ...state.faults, remaining: Number.isFinite(state.faults.remaining) ? state.faults.remaining : "until reset" },
    }),
  );
}

/** Serves the app on loopback and wraps the state into the PanelSimulator handle. */
export async function servePanelSimulator(app: Hono, state: PanelState, port?: number): Promise<PanelSimulator> {
  const server = await serveApp(app, { port });
  return {
    url: server.url,
    users: state.users,
    payments: state.payments,
    faults: state.faults,
    traffic: state.traffic,
    addUser: (login, balanceMinor) => state.addUser(login, balanceMinor),
    balanceOf: (login) => state.users.get(login),
    setFault: (mode, times, statuses) => state.setFault(mode, times, statuses),
    resetFaults: () => state.resetFaults(),
    async close() {
      state.releaseHolds();
      await server.close();
    },
  };
}
