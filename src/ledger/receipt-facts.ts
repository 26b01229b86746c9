import { CreditKind, CreditStatus } from "./states.js";

/** What a customer's receipt (topup.credited) shows, read in one statement by the notifier's hot path. */
export interface ReceiptFacts {
  topUpId: number;
  reference: string;
  /** The payment card to retire, when the bot still knows it. */
  messageId: number | null;
  panelLogin: string;
  amountMinor: number;
  currency: string;
  userId: number;
  language: string;
  /** The top-up's latest landed credit that is not a bonus, with what its payment paid (none for a manual credit). */
  credit: { id: number; panelLogin: string; amountMinor: number; currency: string; balanceMinor: number | null; paid: { amountMinor: number; currency: string } | null } | null;
  /** The deposit bonus granted on the top-up (landed, held or queued; not cancelled), in the panel currency's minor units. */
  bonusMinor: number;
  /** An admin's /recredit of the top-up is audited for that credit (its admins are told it landed). */
  recredited: boolean;
  /** The top-up is its shop's test payment (src/platform/test-payments.ts): a summary follows the receipt. */
  testPayment: boolean;
}

/**
 * The statement, for SQLite (`?`, json_extract) or PostgreSQL (`$1`, jsonb): the top-up and its customer's
 * language, its latest landed non-bonus credit and that credit's payment, the bonus total, whether a recredit
 * audit names the credit and whether it is a test payment; each read off an index (test/ledger/hot-path-plans.test.ts).
 */
export function receiptFactsSql(dialect: "sqlite" | "postgres"): string {
  const param = dialect === "sqlite" ? "?" : "$1";
  const auditedCredit = dialect === "sqlite" ? `json_extract(a."details", '$.creditId') = c."id"` : `a."details"::jsonb -> 'creditId' = to_jsonb(c."id")`;
  return `SELECT t."id", t."reference", t."messageId", t."panelLogin", t."amountMinor", t."currency", t."userId", u."language",
      c."id" AS "creditId", c."panelLogin" AS "creditLogin", c."amountMinor" AS "creditMinor", c."currency" AS "creditCurrency", c."balanceMinor",
      p."amountMinor" AS "paidMinor", p."currency" AS "paidCurrency",
      (SELECT coalesce(sum(b."amountMinor"), 0) FROM "credits" b WHERE b."topUpId" = t."id" AND b."kind" = '${CreditKind.BONUS}' AND b."status" <> '${CreditStatus.CANCELLED}') AS "bonusMinor",
      EXISTS (SELECT 1 FROM "audit_log" a WHERE a."merchantId" = t."merchantId" AND a."subject" = t."reference" AND a."action" = 'recredit' AND ${auditedCredit}) AS "recredited",
      EXISTS (SELECT 1 FROM "test_payments" x WHERE x."topUpId" = t."id") AS "testPayment"
    FROM "top_ups" t JOIN "users" u ON u."id" = t."userId"
    LEFT JOIN "credits" c ON c."id" = (SELECT max(l."id") FROM "credits" l WHERE l."topUpId" = t."id" AND l."kind" <> '${CreditKind.BONUS}' AND l."status" = '${CreditStatus.DONE}')
    LEFT JOIN "payments" p ON p."id" = c."paymentId"
    WHERE t."id" = ${param}`;
}

export interface RawReceiptFacts {
  id: number | string;
  reference: string;
  messageId: number | string | null;
  panelLogin: string;
  amountMinor: number | string;
  currency: string;
  userId: number | string;
  language: string;
  creditId: number | string | null;
  creditLogin: string | null;
  creditMinor: number | string | null;
  creditCurrency: string | null;
  balanceMinor: number | string | null;
  paidMinor: number | string | null;
  paidCurrency: string | null;
  bonusMinor: number | string;
  recredited: number | boolean;
  testPayment: number | boolean;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function receiptFactsFromRow(r: RawReceiptFacts): ReceiptFacts {
  return {
    topUpId: Number(r.id), reference: r.reference, messageId: num(r.messageId), panelLogin: r.panelLogin, amountMinor: Number(r.amountMinor), currency: r.currency,
    userId: Number(r.userId), language: r.language,
    credit: r.creditId === null ? null : {
      id: Number(r.creditId), panelLogin: r.creditLogin!, amountMinor: Number(r.creditMinor), currency: r.creditCurrency!, balanceMinor: num(r.balanceMinor),
      paid: r.paidMinor === null ? null : { amountMinor: Number(r.paidMinor), currency: r.paidCurrency! },
    },
    bonusMinor: Number(r.bonusMinor), recredited: r.recredited === true || r.recredited === 1,
    testPayment: r.testPayment === true || r.testPayment === 1,
  };
}
