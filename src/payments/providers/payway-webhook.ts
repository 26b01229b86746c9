import { z } from "zod";
import { amountTexts, digitsText } from "./webhook-input.js";

/** The longest tran_id taken: the seed shows 15 digits; a few more leave room without being unbounded. */
const TRAN_ID_DIGITS = 20;

/** A decimal amount sent as a JSON number or as a string, kept as its plain text ("12.50", "12.5", "100"). */
const amount = z.unknown().transform((value, ctx) => {
  const texts = amountTexts(value);
  if (texts === undefined) {
    ctx.addIssue({ code: "custom", message: "not a plain decimal with at most two places" });
    return z.NEVER;
  }
  return texts[0]!;
});

/** Short free text PayWay adds for people; bounded so that nothing unbounded reaches a note or a row. */
const text = (max: number) => z.string().max(max);

/**
 * The payment notification ABA PayWay posts for a paid KHQR (seed 003). Only the fields we act on
 * are required; the rest are kept in `raw` for the admin. Types are taken as they come (a JSON
 * number or a string); formats are strict either way.
 */
export const payWayWebhookBody = z.object({
  tran_id: z.unknown().transform((value, ctx) => {
    const id = digitsText(value, (t) => t.length <= TRAN_ID_DIGITS);
    if (id === undefined) {
      ctx.addIssue({ code: "custom", message: `not a transaction id of at most ${TRAN_ID_DIGITS} digits` });
      return z.NEVER;
    }
    return id;
  }),
  /** Our reference from the QR's tag 62.01: text there, a number is accepted too. */
  merchant_ref: z.union([z.string().min(1).max(25), z.number().int().nonnegative().refine(Number.isSafeInteger).transform(String)]),
  datetime: text(64).optional(),
  bank_ref: text(64).optional(),
  /** "0" is a successful payment; the seed shows a string, a bare integer is accepted too. */
  status: z.union([z.string().regex(/^-?\w{1,16}$/), z.number().int()]).transform(String),
  description: text(200).optional(),
  apv: text(32).optional(),
  /** What the merchant receives: a JSON number in the seed (`100`), a decimal string is accepted too. */
  original_amount: amount,
  original_currency: z.string().regex(/^[A-Za-z]{3}$/),
  payment_amount: amount.optional(),
  payment_currency: text(8).optional(),
  payment_type: text(64).optional(),
  payer_account: text(64).optional(),
  payer_name: text(128).optional(),
  bank_name: text(128).optional(),
});

export type PayWayWebhookBody = z.infer<typeof payWayWebhookBody>;

/** The status value that means "paid". */
export const PAYWAY_PAID_STATUS = "0";
