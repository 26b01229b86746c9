import { formBody, type OutboundPool, type OutboundResponse } from "../http/outbound.js";
import type { Logger } from "../logger.js";
import { decimalString, type Currency } from "../money/money.js";
import { assertAmount, balanceToMinor, DEFAULT_TIMEOUTS, PanelTransport, panelUrl, parseJson, type PanelOp, type PanelTimeouts } from "./panel-call.js";
import type { PanelClient, PanelCreditResult, PanelUser } from "./panel-client.js";
import {
  V1_ERRORS, V1_PATH, v1AddPaymentFields, v1DeductPaymentFields, v1Failure, v1GetUserFields, v1Request, v1Success, v1UserAnswer,
  type V1Action,
} from "./perfectpanel-v1-api.js";

export interface PerfectPanelV1Options {
  url: string;
  apiKey: string;
  currency: Currency;
  timeouts?: Partial<PanelTimeouts>;
  /** Outbound connections to the panel (PANEL_MAX_CONNECTIONS); default: the shared pool. */
  pool?: OutboundPool;
  log?: Logger;
}

type V1Answer = { ok: true; json: unknown } | { ok: false; code: string };

/**
 * PerfectPanel Admin API v1 (form fields, `key` + `action`). It cannot list payments, so an unknown
 * credit outcome cannot be reconciled here. Not every panel answers getUser: see findUser.
 */
export class PerfectPanelV1Client implements PanelClient {
  readonly type = "perfectpanel-v1" as const;
  readonly capabilities = { findUser: true, debit: true, findCredit: false, memo: true };
  private readonly transport: PanelTransport;

  constructor(private readonly opts: PerfectPanelV1Options) {
    this.transport = new PanelTransport({
      panel: this.type,
      apiKey: opts.apiKey,
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
      log: opts.log,
      pool: opts.pool,
    });
  }

  /**
   * null when the panel says bad_username. A panel without getUser (bad_action) cannot verify users:
   * then every login is returned as given, without a balance, and capabilities.findUser turns false so
   * callers can tell; a wrong login is still caught safely, as addPayment refuses it (bad_username).
   */
  async findUser(login: string): Promise<PanelUser | null> {
    if (!this.capabilities.findUser) return { login };
    const op: PanelOp = { name: "getUser", write: false, login };
    const { res, answer } = await this.call("getUser", v1GetUserFields(login), op);
    if (!answer.ok) {
      if (answer.code === V1_ERRORS.badUsername) return null;
      if (answer.code === V1_ERRORS.badAction) {
        this.capabilities.findUser = false;
        this.opts.log?.warn({ panel: this.type }, "panel does not answer getUser: panel logins cannot be verified before crediting");
        return { login };
      }
      throw this.refusal(op, answer.code, res);
    }
    const parsed = v1UserAnswer.safeParse(answer.json);
    if (!parsed.success) throw this.transport.unrecognised(op, res);
    const fields = parsed.data.user ?? parsed.data.data ?? parsed.data;
    return { login: fields.username ?? fields.login ?? login, balanceMinor: balanceToMinor(fields.balance, this.opts.currency) };
  }

  async credit(login: string, amountMinor: number, memo: string): Promise<PanelCreditResult> {
    const op: PanelOp = { name: "addPayment", write: true, login };
    assertAmount(this.transport, amountMinor, op);
    await this.write("addPayment", v1AddPaymentFields(login, decimalString(amountMinor, this.opts.currency), memo), op);
    return {};
  }

  async debit(login: string, amountMinor: number, memo: string): Promise<void> {
    const op: PanelOp = { name: "deductPayment", write: true, login };
    assertAmount(this.transport, amountMinor, op);
    await this.write("deductPayment", v1DeductPaymentFields(login, decimalString(amountMinor, this.opts.currency), memo), op);
  }

  private async write(action: V1Action, fields: Record<string, string | number>, op: PanelOp): Promise<void> {
    const { res, answer } = await this.call(action, fields, op);
    if (!answer.ok) throw this.refusal(op, answer.code, res);
  }

  /** Success or a recognised failure; anything else throws (unknown for a write: it may have been applied). */
  private async call(action: V1Action, fields: Record<string, string | number>, op: PanelOp): Promise<{ res: OutboundResponse; answer: V1Answer }> {
    const res = await this.transport.call(
      panelUrl(this.opts.url, V1_PATH),
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: formBody(v1Request(this.opts.apiKey, action, fields)),
      },
      op,
    );
    const json = parseJson(res.text);
    if (res.status < 300 && v1Success.safeParse(json).success) return { res, answer: { ok: true, json } };
    const failure = v1Failure.safeParse(json);
    if (!failure.success) throw this.transport.unrecognised(op, res);
    const code = failure.data.error;
    return { res, answer: { ok: false, code: typeof code === "string" ? code : code === undefined ? "" : JSON.stringify(code) } };
  }

  private refusal(op: PanelOp, code: string, res: OutboundResponse) {
    if (code === V1_ERRORS.badAction) {
      return this.transport.error("rejected", `panel does not support ${op.name} (bad_action): check PANEL_TYPE`, res.text, { panelMessage: code });
    }
    return this.transport.refusal(op, code, res.text, res.status);
  }
}
