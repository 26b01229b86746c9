import type { OutboundPool } from "../http/outbound.js";
import type { Logger } from "../logger.js";
import { decimalString, minorDigits, type Currency } from "../money/money.js";
import { assertAmount, DEFAULT_TIMEOUTS, PanelTransport, panelUrl, parseJson, type PanelOp, type PanelTimeouts } from "./panel-call.js";
import type { PanelClient, PanelCreditResult } from "./panel-client.js";
import { SOCPANEL_PATHS, socpanelBalanceQuery, socpanelOk, socpanelRefusal, type SocPanelAmountFormat } from "./socpanel-api.js";

export interface SocPanelOptions {
  url: string;
  apiKey: string;
  currency: Currency;
  /** "decimal" (default) sends "10.50"; "integer" sends "10" and refuses amounts with a fraction. */
  amountFormat?: SocPanelAmountFormat;
  timeouts?: Partial<PanelTimeouts>;
  /** Outbound connections to the panel (PANEL_MAX_CONNECTIONS); default: the shared pool. */
  pool?: OutboundPool;
  log?: Logger;
}

/**
 * SocPanel private API: balance up and down only. No user lookup, balance, payment list or memo, so the
 * bot's own ledger is the only guard against double credits and an unknown outcome goes to an admin.
 */
export class SocPanelClient implements PanelClient {
  readonly type = "socpanel" as const;
  readonly capabilities = { findUser: false, debit: true, findCredit: false, memo: false };
  private readonly transport: PanelTransport;

  constructor(private readonly opts: SocPanelOptions) {
    this.transport = new PanelTransport({
      panel: this.type,
      apiKey: opts.apiKey,
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
      log: opts.log,
      pool: opts.pool,
    });
  }

  /** SocPanel has no memo field: the memo cannot reach the panel. */
  async credit(login: string, amountMinor: number, _memo: string): Promise<PanelCreditResult> {
    await this.change(SOCPANEL_PATHS.increment, { name: "incrementUserBalance", write: true, login }, amountMinor);
    return {};
  }

  async debit(login: string, amountMinor: number, _memo: string): Promise<void> {
    await this.change(SOCPANEL_PATHS.decrement, { name: "decrementUserBalance", write: true, login }, amountMinor);
  }

  private async change(path: string, op: PanelOp & { login: string }, amountMinor: number): Promise<void> {
    assertAmount(this.transport, amountMinor, op);
    const query = socpanelBalanceQuery(this.opts.apiKey, op.login, this.amountText(amountMinor, op));
    const res = await this.transport.call(panelUrl(this.opts.url, `${path}?${query}`), { method: "GET", headers: { Accept: "application/json" } }, op);
    const json = parseJson(res.text);
    if (res.status < 300 && socpanelOk.safeParse(json).success) return;
    const refusal = socpanelRefusal.safeParse(json);
    if (!refusal.success) throw this.transport.unrecognised(op, res);
    const said = refusal.data.error ?? refusal.data.message;
    throw this.transport.refusal(op, said === undefined ? "" : typeof said === "string" ? said : JSON.stringify(said), res.text, res.status);
  }

  private amountText(amountMinor: number, op: PanelOp): string {
    if ((this.opts.amountFormat ?? "decimal") === "decimal") return decimalString(amountMinor, this.opts.currency);
    const scale = 10 ** minorDigits(this.opts.currency);
    if (amountMinor % scale !== 0) {
      throw this.transport.error(
        "rejected",
        `${op.name} for ${op.login}: SocPanel is set to whole amounts (amountFormat "integer") and cannot be sent ${decimalString(amountMinor, this.opts.currency)} ${this.opts.currency}`,
      );
    }
    return String(amountMinor / scale);
  }
}
