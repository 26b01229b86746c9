import type { Currency } from "../../../money/money.js";
import { looksLikeReference } from "../../../ledger/reference.js";
import { knownCurrency } from "../held-amount.js";
import { amountTexts, digitsText, shown } from "../webhook-input.js";

/** The longest tran_id taken: the seed shows 15 digits; a few more leave room without being unbounded. */
const TRAN_ID_DIGITS = 20;

/** Short free text PayWay adds for people, and its bound: nothing unbounded reaches a note or a row. */
const TEXT_FIELDS = {
  datetime: 64, bank_ref: 64, description: 200, apv: 32, payment_currency: 8, payment_type: 64, payer_account: 64, payer_name: 128, bank_name: 128,
} as const;

/** The status value that means "paid". */
export const PAYWAY_PAID_STATUS = "0";

/**
 * The payment notification ABA PayWay posts for a paid KHQR (seed 003), read field by field. Only
 * `merchant_ref` (one of our references) must be readable: with the secret path token, naming an order
 * of ours is what verifies an unsigned notification. Every other field that is not as the seed shows
 * it (a JSON number or a string, formats strict either way; null for an absent optional field) is
 * named in `odd`, and the payment is held for an admin instead of refused.
 */
export interface PayWayNotification {
  reference: string;
  /** PayWay's transaction id; undefined when unreadable (the payment is then keyed by the order). */
  tranId?: string;
  /** The status as text; undefined when unreadable. */
  status?: string;
  description?: string;
  /** `original_amount` as sent (what the merchant receives). */
  amount: unknown;
  /** `original_currency` when USD or KHR. */
  currency?: Currency;
  payerName?: string;
  payerAccount?: string;
  odd: string[];
}

export function readNotification(body: Record<string, unknown>): PayWayNotification | undefined {
  const reference = digitsText(body.merchant_ref, looksLikeReference);
  if (reference === undefined) return undefined;
  const odd: string[] = [];
  const tranId = digitsText(body.tran_id, (t) => t.length <= TRAN_ID_DIGITS);
  if (tranId === undefined) odd.push(`tran_id ${shown(body.tran_id)} is not a transaction id of at most ${TRAN_ID_DIGITS} digits`);
  const status = typeof body.status === "string" && /^-?\w{1,16}$/.test(body.status) ? body.status : Number.isSafeInteger(body.status) ? String(body.status) : undefined;
  if (status === undefined) odd.push(`status ${shown(body.status)}`);
  const currency = knownCurrency(body.original_currency);
  if (currency === undefined) odd.push(`original_currency ${shown(body.original_currency)} is neither USD nor KHR (original_amount ${shown(body.original_amount)})`);
  if (body.payment_amount != null && amountTexts(body.payment_amount) === undefined) odd.push(`payment_amount ${shown(body.payment_amount)}`);
  const texts: Partial<Record<keyof typeof TEXT_FIELDS, string>> = {};
  for (const [field, max] of Object.entries(TEXT_FIELDS) as [keyof typeof TEXT_FIELDS, number][]) {
    const value = body[field];
    if (typeof value === "string" && value.length <= max) texts[field] = value;
    else if (value != null) odd.push(`${field} ${shown(value)}`);
  }
  return {
    reference, tranId, status, description: texts.description, amount: body.original_amount, currency,
    payerName: texts.payer_name, payerAccount: texts.payer_account, odd,
  };
}
