import type { MerchantDatabase } from "../db/merchant-scope.js";
import { decimalString, type Currency } from "../money/money.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";
import type { ReportPeriod } from "./admin-service.js";
import { localDateTime, REPORT_TIME_ZONE } from "./period.js";
import { readSql } from "./read-sql.js";

/** Rows per query: big enough that a page costs little more than its rows, small enough that memory stays flat. */
const PAGE = 2_000;

function csvField(value: string | number | bigint | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvLine = (fields: readonly (string | number | bigint | null | undefined)[]) => fields.map(csvField).join(",");

interface ExportRow {
  id: number | bigint;
  reference: string;
  createdAt: Date;
  provider: string;
  status: string;
  amountMinor: number | bigint;
  currency: string;
  telegramId: bigint;
  username: string | null;
  panelLogin: string;
  paidAt: Date | null;
  payments: bigint | number;
  paidMinor: bigint | number | null;
  txnIds: string | null;
  refundedMinor: bigint | number | null;
  bonusMinor: bigint | number | null;
}

/**
 * The CSV of top-ups created in the period, one row each, times in the report time zone (named in the
 * header). Produced a page at a time by keyset on (createdAt, id) off the createdAt index, so the first
 * rows come at once and memory stays flat however long the period: each chunk is whole lines, the header first.
 */
export function createReportExport(deps: { database: MerchantDatabase; panelCurrency: Currency; pageRows?: number }) {
  const sql = readSql(deps.database);
  const agg = deps.database.dialect === "postgres" ? "string_agg" : "group_concat";
  const pageSql = `
    SELECT "t"."id", "t"."reference", "t"."createdAt", "t"."provider", "t"."status", "t"."amountMinor", "t"."currency", "u"."telegramId", "u"."username",
      "t"."panelLogin", "t"."paidAt",
      (SELECT count(*) FROM "payments" WHERE "payments"."topUpId" = "t"."id") AS "payments",
      (SELECT sum("amountMinor") FROM "payments" WHERE "payments"."topUpId" = "t"."id" AND "payments"."currency" = "t"."currency") AS "paidMinor",
      (SELECT ${agg}("providerTxnId", ' ' ORDER BY "id") FROM "payments" WHERE "payments"."topUpId" = "t"."id") AS "txnIds",
      (SELECT sum("amountMinor") FROM "refunds" WHERE "refunds"."topUpId" = "t"."id") AS "refundedMinor",
      (SELECT sum("amountMinor") FROM "credits" WHERE "credits"."topUpId" = "t"."id" AND "credits"."kind" = '${CreditKind.BONUS}' AND "credits"."status" = '${CreditStatus.DONE}') AS "bonusMinor"
    FROM "top_ups" AS "t" JOIN "users" AS "u" ON "u"."id" = "t"."userId"
    WHERE "t"."merchantId" = ? AND "t"."createdAt" >= ${sql.time} AND "t"."createdAt" < ${sql.time} AND ("t"."createdAt" > ${sql.time} OR "t"."id" > ?)
    ORDER BY "t"."createdAt", "t"."id" LIMIT ${deps.pageRows ?? PAGE}`;

  function line(t: ExportRow): string {
    const currency = t.currency as Currency;
    const money = (minor: bigint | number | null, c: Currency) => (minor === null || Number(minor) === 0 ? "" : decimalString(Number(minor), c));
    return csvLine([
      t.reference, localDateTime(t.createdAt), t.provider, t.status, decimalString(Number(t.amountMinor), currency), currency, t.telegramId,
      t.username, t.panelLogin, Number(t.payments) > 0 ? decimalString(Number(t.paidMinor ?? 0), currency) : "", t.paidAt ? localDateTime(t.paidAt) : "",
      t.txnIds ?? "", money(t.refundedMinor, currency), money(t.bonusMinor, deps.panelCurrency),
    ]);
  }

  async function* reportCsv(period: ReportPeriod): AsyncGenerator<string> {
    const zone = `(${REPORT_TIME_ZONE})`;
    yield csvLine([
      "reference", `created_at ${zone}`, "provider", "status", "ordered_amount", "currency", "telegram_id", "username", "panel_login", "paid_amount", `paid_at ${zone}`,
      "provider_transaction_ids", "refunded_amount", `bonus_credited (${deps.panelCurrency})`,
    ]) + "\n";
    let after = { createdAt: period.from, id: 0 };
    for (;;) {
      const rows = await sql.rows<ExportRow>(pageSql, [sql.merchantId, sql.at(after.createdAt), sql.at(period.to), sql.at(after.createdAt), after.id]);
      if (rows.length === 0) return;
      yield rows.map(line).join("\n") + "\n";
      if (rows.length < (deps.pageRows ?? PAGE)) return;
      const last = rows.at(-1)!;
      after = { createdAt: last.createdAt, id: Number(last.id) };
    }
  }

  return { reportCsv };
}
