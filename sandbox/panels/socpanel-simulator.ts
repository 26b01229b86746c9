import { Hono, type Context } from "hono";
import { minorFromDecimal } from "../../src/money/money.js";
import { mountControl, PanelState, servePanelSimulator, type PanelSimulator, type PanelSimulatorOptions } from "./panel-simulator.js";

/**
 * A SocPanel private API (GET /privateApi/…, `token` in the query) that answers `{"ok":true}`.
 * Its failure answers (`{"ok":false,"error":…}`) are this simulator's own: the real shape is unknown.
 * `amount` is accepted as a whole number or with up to 2 decimals.
 */
export async function startSocPanelSimulator(opts: PanelSimulatorOptions): Promise<PanelSimulator> {
  const state = new PanelState(opts);
  const app = new Hono();
  mountControl(app, state);
  const fail = (c: Context, error: string) => c.json({ ok: false, error });

  const balanceChange = (kind: "credit" | "debit") => (c: Context) =>
    state.withFaults(c, () => fail(c, "Invalid token"), () => {
      if (c.req.query("token") !== state.opts.apiKey) return fail(c, "Invalid token");
      const amountMinor = minorFromDecimal(c.req.query("amount") ?? "", state.currency);
      if (amountMinor === null || amountMinor === 0) return fail(c, "Invalid amount");
      const applied = state.apply(c.req.query("login") ?? "", amountMinor, kind, "", "privateApi");
      if (applied.ok) return c.json({ ok: true });
      return fail(c, applied.reason === "no_user" ? "User not found" : "Insufficient balance");
    });

  app.get("/privateApi/incrementUserBalance", balanceChange("credit"));
  app.get("/privateApi/decrementUserBalance", balanceChange("debit"));
  // A read call (the self-check's key test): this panel sells nothing, so the list is empty.
  app.get("/privateApi/getOrders", (c) =>
    state.withFaults(c, () => fail(c, "Invalid token"), () =>
      c.req.query("token") === state.opts.apiKey ? c.json({ count: 0, items: [] }) : fail(c, "Invalid token"),
    ),
  );
  return servePanelSimulator(app, state, opts.port);
}
