import type { PanelType } from "../config/config.js";

export interface PanelUser {
  login: string;
  /** In the panel's currency minor units, when the panel reports it. */
  balanceMinor?: number;
}

export interface PanelCreditResult {
  panelPaymentId?: string;
  balanceMinor?: number;
}

export interface PanelCapabilities {
  findUser: boolean;
  debit: boolean;
  /** The panel can list payments, so a credit with an unknown outcome can be found by memo. */
  findCredit: boolean;
  /** The panel keeps the memo with the payment, where an admin can look for it. */
  memo: boolean;
}

/** One SMM panel. Amounts are minor units of the panel's currency. */
export interface PanelClient {
  readonly type: PanelType;
  readonly capabilities: PanelCapabilities;
  /** null when the panel says the user does not exist. Present when capabilities.findUser. */
  findUser?(login: string): Promise<PanelUser | null>;
  credit(login: string, amountMinor: number, memo: string): Promise<PanelCreditResult>;
  debit?(login: string, amountMinor: number, memo: string): Promise<void>;
  /** Looks for a payment carrying `memo` among recent ones. Present when capabilities.findCredit. */
  findCredit?(memo: string): Promise<{ panelPaymentId?: string } | null>;
}

/**
 * rejected: the panel said no, nothing applied. unavailable: nothing was applied, safe to retry (a write only
 * when it was never sent, never reached the panel, or the panel said it did not apply it).
 * unknown: a write was sent and no answer says whether it applied (none, a 5xx, an unrecognised one).
 */
export type PanelErrorKind = "rejected" | "unavailable" | "unknown";

export class PanelError extends Error {
  constructor(
    readonly kind: PanelErrorKind,
    message: string,
    /** retryAfterMs: the panel's Retry-After on a 429 or 5xx answer. */
    readonly opts: { panelMessage?: string; raw?: string; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "PanelError";
  }
}
